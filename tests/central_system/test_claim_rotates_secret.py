"""Accept-unknown mode: whoever connects first sets the password, so `ocpp claim` gives the
charger a new secret (shown once) and the first password, or an empty one, stops working."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from typer.testing import CliRunner
from websockets.exceptions import InvalidStatus

from chargebook.central_system import CentralSystem
from chargebook.central_system.claiming import claim_charge_point
from chargebook.cli.app import app
from chargebook.clock import FixedClock, SystemClock
from chargebook.db import Database, UserRepository, open_database
from chargebook.settings import Settings

from .helpers import exchange, open_raw

SQUATTER = "squatter-secret-123456"


@pytest.fixture
async def accepting(database: Database, clock: FixedClock) -> AsyncIterator[CentralSystem]:
    system = CentralSystem(Settings(ocpp_accept_unknown=True), database, clock=clock)
    system.port = await system.start("127.0.0.1", 0)  # type: ignore[attr-defined]
    yield system
    await system.close()


def _owner(database: Database, clock: FixedClock) -> int:
    with database.transaction() as session:
        return UserRepository(session, clock).create(email="o@example.com", password_hash="!").id


async def _heartbeat(central: CentralSystem, cp_id: str, password: str | None) -> int:
    async with await open_raw(central, cp_id, password=password) as ws:
        reply = await exchange(ws, [2, "1", "Heartbeat", {}])
    code: int = reply[0]
    return code


@pytest.mark.parametrize("squatter_password", [SQUATTER, None])
async def test_claim_rotates_the_secret(
    accepting: CentralSystem, database: Database, clock: FixedClock, squatter_password: str | None
) -> None:
    assert await _heartbeat(accepting, "HOME-1", squatter_password) == 3  # the squatter first
    owner_id = _owner(database, clock)
    result = claim_charge_point(database, clock, "HOME-1", owner_id)
    assert result.secret is not None
    with pytest.raises(InvalidStatus) as refused:
        await _heartbeat(accepting, "HOME-1", squatter_password)
    assert refused.value.response.status_code == 401
    assert await _heartbeat(accepting, "HOME-1", result.secret) == 3
    again = claim_charge_point(database, clock, "HOME-1", owner_id)
    assert (again.charger_id, again.secret) == (result.charger_id, None)  # nothing rotated
    assert await _heartbeat(accepting, "HOME-1", result.secret) == 3


def test_cli_claim_prints_the_new_secret_once(isolated_data_dir: Path) -> None:
    runner = CliRunner()
    database = open_database(Settings())
    with database.transaction() as session:
        UserRepository(session, SystemClock()).create(email="o@example.com", password_hash="!")
    database.dispose()
    added = runner.invoke(app, ["ocpp", "add", "HOME-2"])
    old = added.output.split("password: ")[1].split()[0]
    claimed = runner.invoke(app, ["ocpp", "claim", "HOME-2", "--owner", "o@example.com"])
    assert claimed.exit_code == 0, claimed.output
    new = claimed.output.split("password: ")[1].split()[0]
    assert len(new) == 32
    assert new != old
    assert "no longer accepted" in claimed.output
    listed = runner.invoke(app, ["ocpp", "list"])
    assert new not in listed.output
