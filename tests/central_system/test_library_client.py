"""The central system with a charge point written on the `ocpp` library's own ChargePoint,
and command failures (CALLERROR, timeout) as the caller sees them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from ocpp.routing import on
from ocpp.v16 import ChargePoint, call, call_result
from ocpp.v16.enums import Action

from chargebook.central_system import CentralSystem, CommandRejectedError, CommandTimeoutError
from chargebook.clock import FixedClock
from chargebook.db import Database, SessionRepository
from chargebook.settings import Settings

from .helpers import CP_ID, open_raw


class LibraryChargePoint(ChargePoint):  # type: ignore[misc]
    """A plain `ocpp` library charge point that only knows how to unlock."""

    @on(Action.unlock_connector)
    def on_unlock(self, connector_id: int, **kwargs: Any) -> call_result.UnlockConnector:
        return call_result.UnlockConnector(status="UnlockFailed")


@contextlib.asynccontextmanager
async def library_cp(central: CentralSystem) -> AsyncIterator[LibraryChargePoint]:
    ws = await open_raw(central)
    cp = LibraryChargePoint(CP_ID, ws)
    receiver = asyncio.create_task(cp.start())
    try:
        yield cp
    finally:
        await ws.close()
        receiver.cancel()
        with contextlib.suppress(BaseException):
            await receiver


async def test_a_library_charge_point_charges_into_the_book(
    central: CentralSystem, database: Database
) -> None:
    async with library_cp(central) as cp:
        boot = await cp.call(call.BootNotification(charge_point_model="M", charge_point_vendor="V"))
        assert boot.status == "Accepted"
        assert boot.interval == 300
        start = await cp.call(
            call.StartTransaction(
                connector_id=1, id_tag="TAG", meter_start=100, timestamp="2026-03-10T18:00:00Z"
            )
        )
        assert start.id_tag_info["status"] == "Accepted"
        stop = await cp.call(
            call.StopTransaction(
                meter_stop=2600,
                timestamp="2026-03-10T19:00:00Z",
                transaction_id=start.transaction_id,
            )
        )
        assert stop.id_tag_info["status"] == "Accepted"
        transfer = await cp.call(call.DataTransfer(vendor_id="acme", data="x"))
        assert transfer.status == "UnknownVendorId"
    with database.session() as session:
        [book] = SessionRepository(session).list()
    assert book.external_id == f"{CP_ID}:{start.transaction_id}"
    assert book.meter_start_wh == 100
    assert book.meter_stop_wh == 2600


async def test_callerror_and_refusal_are_failures_the_caller_sees(central: CentralSystem) -> None:
    async with library_cp(central) as cp:
        await cp.call(call.Heartbeat())  # the connection is registered
        with pytest.raises(CommandRejectedError) as not_implemented:
            await central.reset(CP_ID)
        assert not_implemented.value.code == "NotImplemented"
        with pytest.raises(CommandRejectedError) as failed:
            await central.unlock(CP_ID)
        assert failed.value.code == "UnlockFailed"


async def test_no_answer_is_a_timeout(database: Database, clock: FixedClock) -> None:
    from .helpers import register

    register(database, clock, "SILENT-1")
    system = CentralSystem(Settings(), database, clock=clock, response_timeout_s=0.3)
    system.port = await system.start("127.0.0.1", 0)  # type: ignore[attr-defined]
    try:
        async with await open_raw(system, "SILENT-1") as ws:
            await ws.send('[2,"1","Heartbeat",{}]')
            await ws.recv()
            with pytest.raises(CommandTimeoutError) as timed_out:
                await system.unlock("SILENT-1")
            assert timed_out.value.retryable is True
    finally:
        await system.close()
