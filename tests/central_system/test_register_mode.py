"""The register mode survives a spurious 0, and readings of one second become one sample,
both as pure rules and through raw frames against the running central system."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from chargebook.central_system import CentralSystem
from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database, SampleRepository, SessionRepository
from chargebook.db.ocpp.batch import run_ocpp_batch
from chargebook.domain import ChargerSource
from chargebook.domain.ocpp import EnergyRegisterMode as Mode
from chargebook.domain.ocpp import decide_register_mode

from .helpers import CP_ID, exchange, open_raw

START = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
LIFETIME_START_WH = 16_000_000  # a Pulsar Plus with 16 MWh on its register


@pytest.mark.parametrize(
    ("mode", "register_wh", "minutes", "expected"),
    [
        (Mode.UNKNOWN, 0.0, 1, Mode.UNKNOWN),  # a spurious 0 decides nothing
        (Mode.UNKNOWN, 0.4, 1, Mode.UNKNOWN),
        (Mode.UNKNOWN, 16_000_120.0, 2, Mode.LIFETIME),
        (Mode.UNKNOWN, 120.0, 2, Mode.SESSION),
        (Mode.SESSION, 16_000_300.0, 5, Mode.LIFETIME),  # only the lifetime register
        (Mode.SESSION, 9_000.0, 60, Mode.SESSION),
        (Mode.LIFETIME, 0.0, 9, Mode.LIFETIME),  # a dropout, not a new mode
        (Mode.LIFETIME, 50.0, 9, Mode.LIFETIME),
    ],
)
def test_decide_register_mode(mode: Mode, register_wh: float, minutes: int, expected: Mode) -> None:
    observed_at = START + timedelta(minutes=minutes)
    assert decide_register_mode(mode, LIFETIME_START_WH, START, register_wh, observed_at) == (
        expected
    )


def test_a_session_register_that_passes_a_small_meter_start_stays_session() -> None:
    # A nearly new charger: meterStart 5 kWh, the session-relative register reaches 7 kWh
    # after an hour, which a charger can deliver: still session-relative.
    observed_at = START + timedelta(hours=1)
    assert decide_register_mode(Mode.SESSION, 5_000, START, 7_000.0, observed_at) is Mode.SESSION


def _meter(message_id: str, tx: int, at: str, *sampled: dict[str, str]) -> list[Any]:
    payload = {
        "connectorId": 1,
        "transactionId": tx,
        "meterValue": [{"timestamp": at, "sampledValue": list(sampled)}],
    }
    return [2, message_id, "MeterValues", payload]


def _energy(value: str) -> dict[str, str]:
    return {"measurand": "Energy.Active.Import.Register", "unit": "Wh", "value": value}


def _power(value: str) -> dict[str, str]:
    return {"measurand": "Power.Active.Import", "unit": "W", "value": value}


async def _start(ws: Any, meter_start: int) -> int:
    payload = {
        "connectorId": 1,
        "idTag": "LOCAL",
        "meterStart": meter_start,
        "timestamp": "2026-03-10T18:00:00Z",
    }
    reply = await exchange(ws, [2, "s", "StartTransaction", payload])
    transaction_id: int = reply[2]["transactionId"]
    return transaction_id


async def _stop(ws: Any, tx: int, meter_stop: int, at: str, data: list[Any]) -> None:
    payload = {"transactionId": tx, "meterStop": meter_stop, "timestamp": at}
    if data:
        payload["transactionData"] = data
    assert (await exchange(ws, [2, "x", "StopTransaction", payload]))[0] == 3


def _book(
    database: Database, clock: FixedClock
) -> tuple[Decimal | None, list[tuple[float, float]]]:
    with database.session() as session:
        charger = ChargerRepository(session, clock).find(ChargerSource.OCPP, CP_ID)
        assert charger is not None
        (book,) = SessionRepository(session).list(charger_id=charger.id)
        samples = SampleRepository(session).list_for_session(book.id)
        return book.energy_kwh, [(s.power_kw, s.energy_kwh) for s in samples]


async def test_a_spurious_zero_register_before_the_lifetime_one(
    central: CentralSystem, database: Database, clock: FixedClock
) -> None:
    async with await open_raw(central) as ws:
        tx = await _start(ws, LIFETIME_START_WH)
        for n, (at, value) in enumerate(
            (("18:01:00", "0.0"), ("18:11:00", "16001220.0"), ("18:21:00", "16002440.0"))
        ):
            frame = _meter(f"m{n}", tx, f"2026-03-10T{at}Z", _energy(value), _power("7360"))
            assert await exchange(ws, frame) == [3, f"m{n}", {}]
        await _stop(ws, tx, 16_003_660, "2026-03-10T18:31:00Z", [])

    energy_kwh, samples = _book(database, clock)
    assert energy_kwh == Decimal("3.66")
    # Before: the 0 made the register "session-relative", so 16001220 Wh read as 16,001 kWh.
    assert samples == [(7.36, 0.0), (7.36, 1.22), (7.36, 2.44)]
    result = run_ocpp_batch(database, clock, [lambda book: book.get_transaction(CP_ID, tx)])
    assert result[0][1].energy_mode is Mode.LIFETIME


async def test_readings_of_one_second_become_one_sample(
    central: CentralSystem, database: Database, clock: FixedClock
) -> None:
    async with await open_raw(central) as ws:
        tx = await _start(ws, 1_000_000)
        at = "2026-03-10T18:10:00Z"
        # A periodic reading with power only, then a triggered one with the register only.
        assert (await exchange(ws, _meter("a", tx, at, _power("7360"))))[0] == 3
        assert (await exchange(ws, _meter("b", tx, at, _energy("1001220"))))[0] == 3
        # StopTransaction's reading at the second of the last MeterValues.
        last = "2026-03-10T18:20:00Z"
        assert (await exchange(ws, _meter("c", tx, last, _power("7000"))))[0] == 3
        end = {"timestamp": last, "sampledValue": [_energy("1002400")]}
        await _stop(ws, tx, 1_002_400, last, [end])

    energy_kwh, samples = _book(database, clock)
    assert energy_kwh == Decimal("2.4")
    # Before: the first reading of each second won, so energy or power was lost.
    assert samples == [(7.36, 1.22), (7.0, 2.4)]
