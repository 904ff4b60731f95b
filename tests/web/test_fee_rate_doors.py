"""Amounts mean the same at every door. The fee rate: the operator's web form, `chargebook
ere statements --fee` and the statements job (`chargebook worker defer statements`) accept and
refuse exactly the same texts, by one rule (`chargebook.ere.parse_fee_rate`); the price per
ERE: the web form and `chargebook ere price set` (`chargebook.ere.parse_amount`)."""

from __future__ import annotations

from pathlib import Path

from procrastinate import App
from procrastinate.testing import InMemoryConnector
from typer.testing import CliRunner

from chargebook.cli.app import app as cli
from chargebook.db import open_database
from chargebook.jobs.queue import defer_ere_statements
from chargebook.settings import load_settings

from .helpers import World

PRICES = ["0.47", "0,47", " 0.5 ", "0", "12", "-1", "NaN", "Infinity", "abc"]
TEXTS = ["0.20", "0,20", " 0.2 ", "0", "1", "1.5", "-0.1", "NaN", "Infinity", "abc"]


def _cli_accepts(text: str) -> bool:
    result = CliRunner().invoke(cli, ["ere", "statements", "2026-Q1", "--fee", text])
    assert result.exit_code in (0, 2), result.output  # 2: a usage error, never a traceback
    return result.exit_code == 0


async def _job_accepts(text: str) -> bool:
    app = App(connector=InMemoryConnector())
    async with app.open_async():
        try:
            await defer_ere_statements(app, "2026-Q1", text)
        except ValueError:
            return False
    return True


async def _web_accepts(world: World, text: str) -> bool:
    operator = world.actors["operator"]
    answer = await operator.client.post(
        "/operator/statements",
        data={"period": "2026-Q1", "fee": text, "csrf_token": operator.csrf},
    )
    assert answer.status_code in (303, 422), answer.text
    return answer.status_code == 303


async def test_every_door_accepts_the_same_fee_rates(world: World, isolated_data_dir: Path) -> None:
    open_database(load_settings()).dispose()  # the CLI's own (empty) book
    for text in TEXTS:
        answers = {
            "web": await _web_accepts(world, text),
            "cli": _cli_accepts(text),
            "job": await _job_accepts(text),
        }
        assert len(set(answers.values())) == 1, (text, answers)
        assert answers["web"] is (text in ("0.20", "0,20", " 0.2 ", "0", "1")), text


def _cli_accepts_price(text: str) -> bool:
    result = CliRunner().invoke(cli, ["ere", "price", "set", "2026-Q1", text])
    assert result.exit_code in (0, 2), result.output
    return result.exit_code == 0


async def _web_accepts_price(world: World, text: str) -> bool:
    operator = world.actors["operator"]
    answer = await operator.client.post(
        "/operator/prices", data={"period": "2026-Q1", "price": text, "csrf_token": operator.csrf}
    )
    assert answer.status_code in (303, 422), answer.text
    return answer.status_code == 303


async def test_every_door_accepts_the_same_prices(world: World, isolated_data_dir: Path) -> None:
    open_database(load_settings()).dispose()
    for text in PRICES:
        web, cli_answer = await _web_accepts_price(world, text), _cli_accepts_price(text)
        assert web is cli_answer, (text, web, cli_answer)
        assert web is (text in ("0.47", "0,47", " 0.5 ", "0", "12")), text
