"""`chargebook ocpp renew-certificate` takes the command path of every other process: a
caller-only cluster node (`call_holder`, what the CLI runs) asks the process holding the
charger over PostgreSQL, which sends ExtendedTriggerMessage(SignChargePointCertificate); the
charger's refusal comes back as the command's error."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from chargebook.central_system import CentralSystem, CommandRejectedError
from chargebook.central_system.cluster import cluster_for
from chargebook.central_system.cluster.node import call_holder
from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.settings import Settings

from ..helpers import CP_ID, exchange, open_raw, register

pytestmark = pytest.mark.postgres


@pytest.fixture
async def central(pg_book: Database, clock: FixedClock) -> AsyncIterator[CentralSystem]:
    register(pg_book, clock, CP_ID)
    node = cluster_for(pg_book, 3.0)
    system = CentralSystem(Settings(), pg_book, clock=clock, response_timeout_s=3.0, cluster=node)
    system.port = await system.start("127.0.0.1", 0)  # type: ignore[attr-defined]
    yield system
    await system.close()


async def _answer(ws: Any, status: str) -> list[Any]:
    frame = json.loads(await ws.recv())
    await ws.send(json.dumps([3, frame[1], {"status": status}]))
    return list(frame)


@pytest.mark.parametrize("status", ["Accepted", "Rejected"])
async def test_renew_reaches_the_holding_process(
    central: CentralSystem, pg_book: Database, status: str
) -> None:
    async with await open_raw(central) as ws:
        await exchange(
            ws, [2, "b1", "BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"}]
        )
        command = asyncio.create_task(call_holder(pg_book, 3.0, CP_ID, "renew_certificate", {}))
        frame = await asyncio.wait_for(_answer(ws, status), 10)
        assert frame[2] == "ExtendedTriggerMessage"
        assert frame[3] == {"requestedMessage": "SignChargePointCertificate"}
        if status == "Accepted":
            await asyncio.wait_for(command, 10)
        else:
            with pytest.raises(CommandRejectedError, match="Rejected"):
                await asyncio.wait_for(command, 10)
