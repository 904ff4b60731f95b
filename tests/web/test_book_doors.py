"""The book gives one answer whichever door asks (issue 16): the sessions page, the REST API and
`chargebook sessions` list the same sessions with the same totals (one `BookService`), and the
credits CSV, `/api/v1/statements` and `chargebook ere statements --output` hold the same
statements, written by one writer (`ere/service/statement_reads.py`). SQLite and PostgreSQL;
the CLI reads the web's own book through `CHARGEBOOK_DATABASE_URL`."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from chargebook.cli.app import app as cli
from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.domain.display import kwh_text
from chargebook.settings import Settings

from .helpers import Actor, World, build_world, make_app

runner = CliRunner()


@pytest.fixture
async def shared_world(
    web_settings: Settings, database: Database, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[World]:
    """The world on the parametrized `database`, which the CLI opens too."""
    url = database.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("CHARGEBOOK_DATABASE_URL", url)
    app: FastAPI = make_app(web_settings, database, clock)
    async with app.router.lifespan_context(app):
        world = await build_world(app)
        yield world
        for actor in world.actors.values():
            await actor.client.aclose()


def _cli(*args: str) -> str:
    result = runner.invoke(cli, list(args), env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    return result.output


async def _page_totals(actor: Actor) -> tuple[int, str]:
    page = await actor.client.get("/sessions")
    assert page.status_code == 200, page.text
    count = re.search(r'data-testid="total-count">([^<]*)<', page.text)
    energy = re.search(r'data-testid="total-kwh">([^<]*)<', page.text)
    assert count is not None
    assert energy is not None
    return int(count.group(1)), energy.group(1)


async def _api_sessions(actor: Actor) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    params: dict[str, str | int] = {"limit": 2}  # several pages
    while True:
        answer = await actor.client.get("/api/v1/sessions", params=params, headers=actor.bearer())
        assert answer.status_code == 200, answer.text
        body = answer.json()
        items.extend(body["items"])
        if body["next_cursor"] is None:
            return items
        params["cursor"] = body["next_cursor"]


async def _export_ids(actor: Actor) -> list[int]:
    exported = await actor.client.get("/sessions/export.csv")
    assert exported.status_code == 200
    return [int(row["session_id"]) for row in csv.DictReader(io.StringIO(exported.text))]


async def test_sessions_and_totals_are_the_same_on_the_page_the_api_and_the_cli(
    shared_world: World,
) -> None:
    operator = shared_world.actors["operator"]  # the whole book, as the CLI sees it
    count, energy = await _page_totals(operator)
    items = await _api_sessions(operator)
    api_energy = sum((Decimal(str(item["energy_kwh"])) for item in items), Decimal(0))
    exported = await _export_ids(operator)
    printed = _cli("sessions", "--limit", "1000")

    assert count == len(items) == len(exported) == 6
    assert energy == f"{api_energy:,.1f}"
    assert [item["id"] for item in items] == exported  # newest first, both
    assert f"total: {count} sessions, {kwh_text(api_energy)}" in printed
    # The CLI's id column (the book id, as the API's), in the same order: sessions that
    # started at the same moment once came oldest id first from the CLI and the export,
    # newest from the API.
    ids = [int(found) for found in re.findall(r"^│\s*(\d+)\s*│", printed, re.MULTILINE)]
    assert ids == [item["id"] for item in items]

    owner = shared_world.actors["owner_a"]  # and an owner sees their own, on page and API
    owner_count, owner_energy = await _page_totals(owner)
    owner_items = await _api_sessions(owner)
    assert owner_count == len(owner_items) == 3
    total = sum((Decimal(str(item["energy_kwh"])) for item in owner_items), Decimal(0))
    assert owner_energy == f"{total:,.1f}"
    assert [item["id"] for item in owner_items] == await _export_ids(owner)


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_the_credits_csv_the_api_and_the_cli_state_the_same_statements(
    shared_world: World, tmp_path: Path
) -> None:
    _cli("ere", "statements", "2026-Q1", "--output", str(tmp_path))  # states nothing new
    written = (tmp_path / "statements-2026-Q1.csv").read_text("utf-8")
    everyone = _csv_rows(written)
    for name in ("owner_a", "owner_b"):
        actor = shared_world.actors[name]
        assert actor.user is not None
        downloaded = await actor.client.get("/credits/statements.csv")
        assert downloaded.status_code == 200
        listed = await actor.client.get("/api/v1/statements", headers=actor.bearer())
        assert listed.status_code == 200, listed.text
        theirs = [row for row in everyone if row["customer_id"] == str(actor.user.id)]
        # The same header and rows as the CLI's file, byte for byte once split into rows.
        assert downloaded.text.splitlines()[0] == written.splitlines()[0]
        assert _csv_rows(downloaded.text) == theirs
        assert [s["id"] for s in listed.json()] == [int(r["statement_id"]) for r in theirs]
        assert [Decimal(str(s["payout_eur"])) for s in listed.json()] == [
            Decimal(r["payout_eur"]) for r in theirs
        ]
    operator = shared_world.actors["operator"]
    every = await operator.client.get("/api/v1/statements", headers=operator.bearer())
    assert [s["id"] for s in every.json()] == [int(r["statement_id"]) for r in everyone]
