"""Two flushes of one charge point's outbox at once (the reconnect loop and a new buffered
call both flush): every buffered call is delivered, none is dropped (found by the soak)."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from chargebook.central_system import CentralSystem
from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database, SessionRepository
from chargebook.domain import ChargerSource

from .conftest import MakeChargePoint


@pytest.mark.parametrize("rate", [0.0, 1.0], ids=["plain", "real-variants"])
async def test_concurrent_flushes_deliver_every_buffered_call_once(
    central: CentralSystem,
    make_cp: MakeChargePoint,
    database: Database,
    clock: FixedClock,
    rate: float,
) -> None:
    cp = make_cp("SIM-1", real_variants_rate=rate)
    await cp.connect()
    await cp.boot()
    await cp.plug_in()
    await cp.disconnect()
    for _ in range(3):
        clock.advance(600)
        await cp.send_meter_values()  # buffered
    await cp.unplug()  # StopTransaction buffered last
    buffered = 5 if rate else 4  # + the spurious 0 register's MeterValues
    assert len(cp.outbox) == buffered
    await cp.connect()

    sent = await asyncio.gather(cp.flush_outbox(), cp.flush_outbox())

    assert sum(sent) == buffered
    assert not cp.outbox
    with database.session() as session:
        charger = ChargerRepository(session, clock).find(ChargerSource.OCPP, "SIM-1")
        assert charger is not None
        [book] = SessionRepository(session).list(charger_id=charger.id)
    assert book.energy_kwh == Decimal("5.520000")  # 11.04 kW for 3 x 600 s
