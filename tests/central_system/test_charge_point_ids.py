"""One charge point id rule for every door: the rule itself, `chargebook ocpp add|claim`, and
the central system's routing (the web form is tested in tests/web/test_connect_pages.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner
from websockets.exceptions import InvalidStatus

from chargebook.central_system import CentralSystem
from chargebook.central_system.server import charge_point_id_from_path
from chargebook.cli.app import app
from chargebook.clock import FixedClock, SystemClock
from chargebook.db import Database, open_database
from chargebook.db.ocpp.chargers import OcppChargerRepository
from chargebook.domain.charge_point_id import charge_point_id_problem, is_charge_point_id
from chargebook.settings import Settings

from .helpers import SECRET, exchange, open_raw, register

# What the issue found `ocpp add` accepting, plus a URL-unsafe one and dot segments.
BAD = ["", "CP/1", "CP 1", "X" * 49, "CP:1", "..", ".", "CP|1", "CP#1", "CP?1", "é", "CP%1"]
GOOD = ["CP-1", "X" * 48, "NL*ABC*E123", "a.b_c", "cp+1=2@home", "..x"]


@pytest.mark.parametrize("charge_point_id", BAD)
def test_the_rule_refuses_with_a_reason(charge_point_id: str) -> None:
    problem = charge_point_id_problem(charge_point_id)
    assert problem is not None
    assert "1-48 characters" in problem


@pytest.mark.parametrize("charge_point_id", GOOD)
def test_the_rule_accepts(charge_point_id: str) -> None:
    assert is_charge_point_id(charge_point_id)


@pytest.mark.parametrize("charge_point_id", [i for i in BAD if i])
def test_cli_add_and_claim_refuse_as_a_usage_error(
    charge_point_id: str, isolated_data_dir: Path
) -> None:
    runner = CliRunner()
    added = runner.invoke(app, ["ocpp", "add", "--", charge_point_id])
    assert added.exit_code == 2, added.output
    assert "1-48 characters" in added.output
    claimed = runner.invoke(
        app, ["ocpp", "claim", "--owner", "a@example.com", "--", charge_point_id]
    )
    assert claimed.exit_code == 2, claimed.output
    database = open_database(Settings())
    try:
        with database.session() as session:
            assert OcppChargerRepository(session, SystemClock()).list() == []
    finally:
        database.dispose()


def test_cli_add_refuses_an_empty_id(isolated_data_dir: Path) -> None:
    added = CliRunner().invoke(app, ["ocpp", "add", ""])
    assert added.exit_code == 2
    assert "it is empty" in added.output


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/ocpp/CP-1", "CP-1"),
        ("/NL%2AABC%2AE123", "NL*ABC*E123"),
        ("/ocpp/CP%201", None),
        ("/ocpp/CP%2F1", None),
        ("/ocpp/CP%3A1", None),
        ("/ocpp/..", None),
        ("/ocpp/" + "X" * 49, None),
        ("/", None),
    ],
)
def test_routing_applies_the_same_rule(path: str, expected: str | None) -> None:
    assert charge_point_id_from_path(path) == expected


async def test_a_charger_an_old_book_registered_with_a_bad_id_is_refused(
    central: CentralSystem, database: Database, clock: FixedClock
) -> None:
    register(database, clock, "CP 1")  # what `ocpp add "CP 1"` stored before
    with pytest.raises(InvalidStatus) as refused:
        await open_raw(central, "CP%201", password=SECRET)
    assert refused.value.response.status_code == 404
    register(database, clock, "NL*ABC*E123")
    async with await open_raw(central, "NL*ABC*E123") as ws:
        assert (await exchange(ws, [2, "1", "Heartbeat", {}]))[0] == 3
