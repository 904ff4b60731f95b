"""The simulator against the central system: sessions, Wallbox quirks, offline buffering.

Each runs with the simulator's plain readings and with every real-world variant on every
reading (`real_variants_rate=1.0`: a spurious 0 register first, Transaction.Begin next to the
periodic register, per-phase values, kWh/kW, same-second elements): the book must not change,
except for the spurious 0 itself, a sample of 0 kWh at the transaction's start.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal

import pytest

from chargebook.central_system import CentralSystem
from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database, SampleRepository, SessionRepository
from chargebook.domain import ChargerSource
from chargebook.domain.book import SessionState

from .conftest import MakeChargePoint

RATES = pytest.mark.parametrize("rate", [0.0, 1.0], ids=["plain", "real-variants"])


def _spurious(rate: float, samples: list[float]) -> list[float]:
    """The ground truth as sampled: the spurious 0 register adds a 0 kWh sample at the start."""
    return [0.0, *samples] if rate else samples


def _sessions(database: Database, clock: FixedClock, cp_id: str) -> list:  # type: ignore[type-arg]
    with database.session() as session:
        charger = ChargerRepository(session, clock).find(ChargerSource.OCPP, cp_id)
        assert charger is not None
        return SessionRepository(session).list(charger_id=charger.id, newest_first=False)


async def _until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(3.0):
        while not condition():  # noqa: ASYNC110  (polls simulator state set by other tasks)
            await asyncio.sleep(0.01)


@RATES
async def test_a_simulated_session_lands_in_the_book(
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
    assert cp.transaction_id is not None
    for _ in range(6):
        clock.advance(600)
        await cp.send_meter_values()
    await cp.unplug()

    [book] = _sessions(database, clock, "SIM-1")
    assert book.state is SessionState.OK
    # 16 A x 230 V x 3 phases for one hour = 11.04 kWh
    assert book.energy_kwh == Decimal("11.040000")
    assert book.meter_start_wh == 1_254_360
    with database.session() as session:
        samples = SampleRepository(session).list_for_session(book.id)
        energies = [round(s.energy_kwh, 2) for s in samples]
        assert energies == _spurious(rate, [1.84, 3.68, 5.52, 7.36, 9.2, 11.04])
        assert [s.power_kw for s in samples] == [11.04] * len(energies)
        assert all(s.extra["current_a"] == 16.0 for s in samples)


@RATES
@pytest.mark.parametrize(
    "relative", [False, True], ids=["lifetime-register", "session-relative-register"]
)
async def test_wallbox_quirks_remote_start_and_either_register(
    central: CentralSystem,
    make_cp: MakeChargePoint,
    database: Database,
    clock: FixedClock,
    rate: float,
    relative: bool,
) -> None:
    cp = make_cp(
        "WB-1", wallbox_quirks=True, session_relative_register=relative, real_variants_rate=rate
    )
    await cp.connect()
    await cp.boot()
    await cp.plug_in()  # no autostart: the central system must send RemoteStartTransaction
    await _until(lambda: cp.transaction_id is not None)
    for _ in range(3):
        clock.advance(1200)
        await cp.send_meter_values()
    await cp.unplug()

    [book] = _sessions(database, clock, "WB-1")
    assert book.energy_kwh == Decimal("11.040000")
    with database.session() as session:
        samples = SampleRepository(session).list_for_session(book.id)
        # MeterValues carried the lifetime register, or 3680, 7360, 11040 Wh (session-relative)
        # while meterStart was 1254360: the book never keeps the lifetime register.
        assert [round(s.energy_kwh, 2) for s in samples] == _spurious(rate, [3.68, 7.36, 11.04])
        charger = ChargerRepository(session, clock).find(ChargerSource.OCPP, "WB-1")
        assert charger is not None
        assert charger.charger.mid.enabled is False


@RATES
async def test_offline_buffering_then_reconnect_loses_and_doubles_nothing(
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
    clock.advance(600)
    await cp.send_meter_values()
    await cp.disconnect()
    for _ in range(2):
        clock.advance(600)
        await cp.send_meter_values()  # buffered
    clock.advance(600)
    await cp.unplug()  # StopTransaction buffered too
    assert len(cp.outbox) == 3
    await cp.connect()
    assert await cp.flush_outbox() == 3
    assert await cp.flush_outbox() == 0

    [book] = _sessions(database, clock, "SIM-1")
    assert book.energy_kwh == Decimal("7.360000")
    with database.session() as session:
        samples = SampleRepository(session).list_for_session(book.id)
        # three MeterValues + the Stop's transactionData (own instant) (+ the spurious 0)
        assert len(samples) == len(_spurious(rate, [0.0] * 4))
