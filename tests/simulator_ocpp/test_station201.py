"""The simulator's OCPP 2.0.1 station against the central system: a session into the book,
offline events buffered and sent late, and commands in 2.0.1 messages."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from decimal import Decimal

import pytest

from chargebook.central_system import CentralSystem, CommandRejectedError
from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database, SampleRepository, SessionRepository
from chargebook.domain import ChargerSource
from chargebook.domain.book import SessionState
from chargebook.simulator.ocpp import ChargePointConfig, SimulatedStation201, simulated_charge_point

from .conftest import SECRET


@pytest.fixture
async def station(central: CentralSystem, clock: FixedClock) -> AsyncIterator[SimulatedStation201]:
    config = ChargePointConfig(password=SECRET, response_timeout_s=2.0, ocpp_version="2.0.1")
    url = f"ws://127.0.0.1:{central.port}/SIM-1"  # type: ignore[attr-defined]
    made = simulated_charge_point(url, config, clock)
    assert isinstance(made, SimulatedStation201)
    yield made
    await made.close()


def _book(database: Database, clock: FixedClock) -> tuple[list, dict]:  # type: ignore[type-arg]
    with database.session() as session:
        charger = ChargerRepository(session, clock).find(ChargerSource.OCPP, "SIM-1")
        assert charger is not None
        sessions = SessionRepository(session).list(charger_id=charger.id, newest_first=False)
        raw = SessionRepository(session).get_raw_payload(sessions[0].id) if sessions else {}
        return sessions, raw


async def _until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(3.0):
        while not condition():  # noqa: ASYNC110  (polls state set by other tasks)
            await asyncio.sleep(0.01)


async def test_a_2_0_1_session_lands_in_the_book(
    central: CentralSystem, station: SimulatedStation201, database: Database, clock: FixedClock
) -> None:
    await station.connect()
    assert (await station.boot()).status == "Accepted"
    await station.plug_in()
    transaction_id = station.transaction_id
    assert central.charge_point("SIM-1").ocpp_version == "2.0.1"
    for _ in range(6):
        clock.advance(600)
        await station.send_meter_values()
    await station.unplug()

    [book], raw = _book(database, clock)
    assert book.state is SessionState.OK
    assert book.energy_kwh == Decimal("11.040000")  # 16 A x 230 V x 3 phases, one hour
    assert book.meter_start_wh == 1_254_360
    assert raw["seqNos"] == list(range(8))
    assert raw["ocppTransactionId"] == transaction_id
    with database.session() as session:
        samples = SampleRepository(session).list_for_session(book.id)
    assert [round(s.energy_kwh, 2) for s in samples] == [
        0.0, 1.84, 3.68, 5.52, 7.36, 9.2, 11.04
    ]  # fmt: skip
    # The Ended event at the last periodic instant merges with it: power 0 once unplugged.
    assert [s.power_kw for s in samples] == [0.0] + [11.04] * 5 + [0.0]


async def test_offline_events_are_sent_late_and_lose_or_double_nothing(
    central: CentralSystem, station: SimulatedStation201, database: Database, clock: FixedClock
) -> None:
    await station.connect()
    await station.boot()
    await station.plug_in()
    clock.advance(600)
    await station.send_meter_values()
    await station.disconnect()
    for _ in range(2):
        clock.advance(600)
        await station.send_meter_values()  # buffered, offline
    clock.advance(600)
    await station.unplug()  # StatusNotification dropped, Ended buffered
    assert len(station.outbox) == 3
    await station.connect()
    assert await station.flush_outbox() == 3
    assert await station.flush_outbox() == 0

    [book], raw = _book(database, clock)
    assert book.energy_kwh == Decimal("7.360000")
    assert raw["seqNoGaps"] == []
    offline = [f[3].get("offline", False) for f in raw["frames"]]
    assert offline == [False, False, True, True, True]


async def test_commands_in_2_0_1_messages(
    central: CentralSystem, station: SimulatedStation201, clock: FixedClock
) -> None:
    await station.connect()
    await station.boot()
    await station.plug_in()
    await _until(lambda: central.charge_point("SIM-1").connector_status.get(1) == "Charging")
    assert await central.set_current("SIM-1", 10) is True
    assert station.limit_a == 10.0
    assert await central.pause("SIM-1") is True
    await _until(lambda: central.charge_point("SIM-1").connector_status[1] == "SuspendedEVSE")
    assert station.meter.power_w == 0.0
    assert await central.resume("SIM-1") is True
    await _until(lambda: central.charge_point("SIM-1").connector_status[1] == "Charging")
    assert station.meter.power_w == 10 * 230 * 3
    purposes = [p["charging_profile_purpose"] for p in station.profiles_received]
    assert purposes == ["TxDefaultProfile", "TxProfile"]

    values = await central.get_variables("SIM-1", [("TxCtrlr", "TxStartPoint")])
    assert values == {("TxCtrlr", "TxStartPoint"): "EVConnected"}
    assert await central.configure_measurands("SIM-1") == "Accepted"
    assert "Power.Active.Import" in station.variables[("SampledDataCtrlr", "TxUpdatedMeasurands")]
    with pytest.raises(CommandRejectedError) as busy:
        await central.unlock("SIM-1")
    assert busy.value.code == "OngoingAuthorizedTransaction"
    await central.trigger_message("SIM-1", "Heartbeat")
    await central.remote_stop("SIM-1")
    await _until(lambda: station.transaction_id is None)
    await _until(lambda: not central.charge_point("SIM-1").open_transactions)  # type: ignore[union-attr]
