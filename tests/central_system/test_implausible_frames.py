"""Raw OCPP frames with values no charger can mean: refused at the edge with a CALLERROR that
says why, or (one reading among good ones) skipped; OCPP sessions pass the same plausibility
rules as cloud sessions and are quarantined with a reason, never silently ok."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from websockets.asyncio.client import ClientConnection

from chargebook.central_system import CentralSystem
from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database, SampleRepository, SessionRepository
from chargebook.db.ocpp.chargers import OcppChargerRepository
from chargebook.db.ocpp.tables import OcppChargePointRow
from chargebook.domain import ChargerSource
from chargebook.domain.book import SessionState
from chargebook.domain.stored import BookSession

from .helpers import CP_ID, exchange, open_raw

NOW = "2026-03-10T18:00:00Z"  # the `clock` fixture


async def _start(ws: ClientConnection, meter_start: int, timestamp: str = NOW) -> int:
    payload = {"connectorId": 1, "idTag": "T", "meterStart": meter_start, "timestamp": timestamp}
    reply = await exchange(ws, [2, "s", "StartTransaction", payload])
    assert reply[0] == 3, reply
    transaction_id: int = reply[2]["transactionId"]
    return transaction_id


async def _stop(
    ws: ClientConnection, transaction_id: int, meter_stop: int, timestamp: str
) -> list[Any]:
    payload = {"transactionId": transaction_id, "meterStop": meter_stop, "timestamp": timestamp}
    return await exchange(ws, [2, "e", "StopTransaction", payload])


def _sessions(database: Database, clock: FixedClock) -> list[BookSession]:
    with database.session() as session:
        charger = ChargerRepository(session, clock).find(ChargerSource.OCPP, CP_ID)
        assert charger is not None
        return SessionRepository(session).list(charger_id=charger.id)


@pytest.mark.parametrize(
    ("meter_start", "meter_stop", "reason"),
    [
        (0, 2**62, "energy above the charger's maximum"),  # 4.6e12 kWh in 60 s
        (-5_000, 1_000, "meterStart -5000 Wh is not a meter register"),
        (-9_000, -4_000, "meterStart -9000 Wh is not a meter register"),
    ],
)
async def test_implausible_registers_make_a_quarantined_session(
    central: CentralSystem,
    database: Database,
    clock: FixedClock,
    meter_start: int,
    meter_stop: int,
    reason: str,
) -> None:
    async with await open_raw(central) as ws:
        transaction_id = await _start(ws, meter_start)
        stop = await _stop(ws, transaction_id, meter_stop, "2026-03-10T18:01:00Z")
        assert stop == [3, "e", {"idTagInfo": {"status": "Accepted"}}]
    (book,) = _sessions(database, clock)
    assert book.state is SessionState.QUARANTINED
    assert book.quarantine_reason is not None
    assert reason in book.quarantine_reason


async def test_a_plausible_session_stays_ok(
    central: CentralSystem, database: Database, clock: FixedClock
) -> None:
    async with await open_raw(central) as ws:
        transaction_id = await _start(ws, 1_000)
        await _stop(ws, transaction_id, 12_000, "2026-03-10T19:00:00Z")  # 11 kWh in 1 h
    (book,) = _sessions(database, clock)
    assert (book.state, book.quarantine_reason) == (SessionState.OK, None)


@pytest.mark.parametrize(
    ("action", "payload", "needle"),
    [
        ("StopTransaction", {"meterStop": 10, "timestamp": "9999-12-31T23:59:59.999999Z"}, "ahead"),
        ("StopTransaction", {"meterStop": 10, "timestamp": "0001-01-01T00:00:00Z"}, "before 2000"),
        ("StartTransaction", {"timestamp": "9999-12-30T00:00:00Z"}, "ahead"),
        ("StartTransaction", {"timestamp": "1970-01-01T00:00:00Z"}, "before 2000"),
        ("StatusNotification", {"timestamp": "9999-12-30T00:00:00Z"}, "ahead"),
        ("StatusNotification", {"timestamp": "0001-01-01T00:00:00+01:00"}, "ISO 8601"),
        ("StartTransaction", {"meterStart": 2**70}, "out of range"),
    ],
)
async def test_implausible_call_fields_are_refused_with_a_reason(
    central: CentralSystem,
    database: Database,
    clock: FixedClock,
    action: str,
    payload: dict[str, Any],
    needle: str,
) -> None:
    base: dict[str, dict[str, Any]] = {
        "StartTransaction": {"connectorId": 1, "idTag": "T", "meterStart": 0, "timestamp": NOW},
        "StatusNotification": {"connectorId": 1, "errorCode": "NoError", "status": "Available"},
    }
    async with await open_raw(central) as ws:
        if action == "StopTransaction":
            base[action] = {"transactionId": await _start(ws, 0)}
        reply = await exchange(ws, [2, "x", action, {**base[action], **payload}])
    assert reply[:2] == [4, "x"]
    assert reply[2] in ("PropertyConstraintViolation", "FormatViolation")
    assert needle in reply[3]
    assert all(book.state is not SessionState.OK for book in _sessions(database, clock))


@pytest.mark.parametrize(
    ("action", "payload"),
    [
        ("BootNotification", '{"chargePointVendor":"V","chargePointModel":"M","x":NaN}'),
        ("StatusNotification", '{"connectorId":Infinity,"errorCode":"NoError","status":"A"}'),
        ("StartTransaction", '{"connectorId":1,"idTag":"T","meterStart":1e400,"timestamp":"%s"}'),
        ("StopTransaction", '{"transactionId":1,"meterStop":-Infinity,"timestamp":"%s"}'),
        ("MeterValues", '{"connectorId":1,"transactionId":NaN,"meterValue":[]}'),
        ("DataTransfer", '{"vendorId":"V","data":NaN}'),
        ("Heartbeat", '{"n":NaN}'),
    ],
)
async def test_a_non_finite_number_in_any_action_is_refused(
    central: CentralSystem, action: str, payload: str
) -> None:
    frame = f'[2,"n","{action}",{payload.replace("%s", NOW)}]'
    async with await open_raw(central) as ws:
        reply = await exchange(ws, frame)
    assert reply[:3] == [4, "n", "TypeConstraintViolation"]
    assert "not a finite number" in reply[3]


def _meter(transaction_id: int, *elements: tuple[str, str]) -> list[Any]:
    return [
        2,
        "m",
        "MeterValues",
        {
            "connectorId": 1,
            "transactionId": transaction_id,
            "meterValue": [
                {
                    "timestamp": stamp,
                    "sampledValue": [
                        {"measurand": "Power.Active.Import", "unit": "W", "value": power}
                    ],
                }
                for stamp, power in elements
            ],
        },
    ]


async def test_bad_readings_are_skipped_and_the_good_ones_kept(
    central: CentralSystem, database: Database, clock: FixedClock
) -> None:
    async with await open_raw(central) as ws:
        transaction_id = await _start(ws, 1_000)
        frame = _meter(
            transaction_id,
            ("2026-03-10T18:05:00Z", "Infinity"),
            ("2026-03-10T18:06:00Z", "NaN"),
            ("9999-12-30T00:00:00Z", "22000"),
            ("2026-03-10T18:07:00Z", "7000"),
        )
        assert await exchange(ws, frame) == [3, "m", {}]
        await _stop(ws, transaction_id, 2_000, "2026-03-10T18:10:00Z")
    with database.session() as session:
        charger = ChargerRepository(session, clock).find(ChargerSource.OCPP, CP_ID)
        assert charger is not None
        samples = SampleRepository(session).list_for_charger(
            charger.id, start=clock.now(), end=clock.now().replace(year=2027)
        )
        raw = json.dumps(
            SessionRepository(session).get_raw_payload(_sessions(database, clock)[0].id)
        )
    # The Infinity and NaN powers are dropped (their reading has no power); 9999 is dropped.
    assert [(s.observed_at.isoformat(), s.power_kw) for s in samples] == [
        ("2026-03-10T18:05:00+00:00", 0.0),
        ("2026-03-10T18:06:00+00:00", 0.0),
        ("2026-03-10T18:07:00+00:00", 7.0),
    ]
    assert "9999-12-30" in raw  # the frame itself stays in the evidence


async def test_a_status_stored_from_the_future_does_not_pin_the_state(
    central: CentralSystem, database: Database, clock: FixedClock
) -> None:
    with database.transaction() as session:  # what an old book may hold
        OcppChargerRepository(session, clock).record_status(
            CP_ID, status="Charging", error_code="NoError", at=datetime(9999, 12, 30, tzinfo=UTC)
        )
    status = {"connectorId": 1, "errorCode": "NoError", "status": "Available", "timestamp": NOW}
    async with await open_raw(central) as ws:
        assert await exchange(ws, [2, "s", "StatusNotification", status]) == [3, "s", {}]
    with database.session() as session:
        facts = session.scalars(select(OcppChargePointRow)).one()
        assert (facts.last_status, facts.status_at) == ("Available", clock.now())
