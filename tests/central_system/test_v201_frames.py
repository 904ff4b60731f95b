"""OCPP 2.0.1 frames in, replies and the book out: the transaction cases a real station sends
(over a raw websockets client, so the exact JSON is what a station puts on the wire)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from chargebook.central_system import CentralSystem
from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database, SampleRepository, SessionRepository
from chargebook.domain import ChargerSource
from chargebook.domain.ocpp201 import NO_REGISTER
from chargebook.domain.stored import SessionState

from .helpers import CP_ID, exchange, open_raw

V201 = ["ocpp2.0.1"]
TX = "57da73c2-49ee-4abc-be95-cb12f783cc91"


def _event(seq_no: int, event_type: str, trigger: str, when: str, **extra: Any) -> list[Any]:
    info = {"transactionId": TX, **extra.pop("info", {})}
    payload = {
        "eventType": event_type,
        "timestamp": when,
        "triggerReason": trigger,
        "seqNo": seq_no,
        "transactionInfo": info,
        **extra,
    }
    return [2, f"e{seq_no}-{event_type}", "TransactionEvent", payload]


def _register(wh: float, when: str, context: str = "Sample.Periodic") -> dict[str, Any]:
    return {
        "timestamp": when,
        "sampledValue": [
            {"value": wh, "context": context, "measurand": "Energy.Active.Import.Register",
             "unitOfMeasure": {"unit": "Wh"}}
        ],
    }  # fmt: skip


# EVerest's 2.0.1 stack, a periodic Updated event as a CSMS logged it (nulls there are absent
# fields, left out here; the elided per-phase values are cut to L1):
# https://github.com/EVerest/EVerest/issues/1835
EVEREST_UPDATED = [
    2,
    "everest-2",
    "TransactionEvent",
    {
        "eventType": "Updated",
        "timestamp": "2026-02-17T07:14:25.138Z",
        "triggerReason": "MeterValuePeriodic",
        "seqNo": 2,
        "offline": False,
        "transactionInfo": {"transactionId": TX, "chargingState": "Charging"},
        "meterValue": [
            {
                "timestamp": "2026-02-17T07:14:25.138Z",
                "sampledValue": [
                    {"value": 171.0, "context": "Sample.Periodic",
                     "measurand": "Energy.Active.Import.Register", "location": "Outlet",
                     "unitOfMeasure": {"unit": "Wh", "multiplier": 0}},
                    {"value": 57.0, "context": "Sample.Periodic",
                     "measurand": "Energy.Active.Import.Register", "phase": "L1",
                     "location": "Outlet", "unitOfMeasure": {"unit": "Wh"}},
                ],
            }
        ],
    },
]  # fmt: skip


async def test_a_started_event_without_a_register_takes_the_first_one_seen(
    central: CentralSystem, database: Database
) -> None:
    async with await open_raw(central, subprotocols=V201) as ws:
        started = _event(
            0, "Started", "CablePluggedIn", "2026-02-17T07:00:00Z",
            evse={"id": 1, "connectorId": 1}, info={"chargingState": "EVConnected"},
        )  # fmt: skip
        assert await exchange(ws, started) == [3, started[1], {}]
        authorized = _event(
            1, "Updated", "Authorized", "2026-02-17T07:00:10Z",
            idToken={"idToken": "04A2B3C4D5E6F7", "type": "ISO14443"},
        )  # fmt: skip
        assert await exchange(ws, authorized) == [
            3, authorized[1], {"idTokenInfo": {"status": "Accepted"}}
        ]  # fmt: skip
        assert await exchange(ws, EVEREST_UPDATED) == [3, "everest-2", {}]
        ended = _event(
            3, "Ended", "EVCommunicationLost", "2026-02-17T08:00:00Z",
            info={"chargingState": "Idle", "stoppedReason": "EVDisconnected"},
            meterValue=[_register(5_171.0, "2026-02-17T08:00:00Z", "Transaction.End")],
        )  # fmt: skip
        assert await exchange(ws, ended) == [3, ended[1], {}]
    with database.session() as session:
        [book] = SessionRepository(session).list()
        samples = SampleRepository(session).list_for_session(book.id)
    assert (book.meter_start_wh, book.meter_stop_wh, book.energy_kwh) == (171, 5_171, 5)
    assert book.state is SessionState.OK
    # The phase-less total, not the total plus L1 (the reporter's station sent both).
    assert [s.extra["energy_register_wh"] for s in samples] == [171.0, 5_171.0]
    assert [s.energy_kwh for s in samples] == [0.0, 5.0]


async def test_events_out_of_order_and_a_missing_one(
    central: CentralSystem, database: Database
) -> None:
    """Started sent late (offline), seqNo 2 never arrives: the session starts at the
    Started event's time and its evidence names the gap."""
    async with await open_raw(central, subprotocols=V201) as ws:
        for frame in (
            _event(1, "Updated", "ChargingStateChanged", "2026-03-10T10:05:00Z",
                   info={"chargingState": "Charging"},
                   meterValue=[_register(20_500.0, "2026-03-10T10:05:00Z")]),
            _event(0, "Started", "Authorized", "2026-03-10T10:00:00Z", offline=True,
                   evse={"id": 1, "connectorId": 1},
                   meterValue=[_register(20_000.0, "2026-03-10T10:00:00Z", "Transaction.Begin")]),
            _event(3, "Ended", "StopAuthorized", "2026-03-10T11:00:00Z",
                   info={"stoppedReason": "Local"},
                   meterValue=[_register(27_000.0, "2026-03-10T11:00:00Z", "Transaction.End")]),
        ):  # fmt: skip
            assert (await exchange(ws, frame))[0] == 3
    with database.session() as session:
        [book] = SessionRepository(session).list()
        raw = SessionRepository(session).get_raw_payload(book.id)
    assert book.started_at.isoformat() == "2026-03-10T10:00:00+00:00"
    assert (book.meter_start_wh, book.energy_kwh) == (20_500, 6.5)  # the first register seen
    assert raw["seqNos"] == [0, 1, 3]
    assert raw["seqNoGaps"] == [2]


async def test_a_transaction_without_any_register_is_quarantined(
    central: CentralSystem, database: Database
) -> None:
    async with await open_raw(central, subprotocols=V201) as ws:
        for frame in (
            _event(0, "Started", "RemoteStart", "2026-03-10T10:00:00Z",
                   info={"remoteStartId": 7}),
            _event(1, "Ended", "RemoteStop", "2026-03-10T11:00:00Z",
                   info={"stoppedReason": "Remote"}),
        ):  # fmt: skip
            assert (await exchange(ws, frame))[0] == 3
    with database.session() as session:
        [book] = SessionRepository(session).list()
    assert book.state is SessionState.QUARANTINED
    assert book.quarantine_reason == NO_REGISTER


async def test_meter_values_in_units_and_multipliers(
    central: CentralSystem, database: Database, clock: FixedClock
) -> None:
    """2.0.1 values are numbers with `unitOfMeasure {unit, multiplier}` (value x 10^multiplier)."""
    frame = [2, "mv", "MeterValues", {"evseId": 1, "meterValue": [
        {"timestamp": "2026-03-10T10:00:00Z", "sampledValue": [
            {"value": 1254.36, "unitOfMeasure": {"unit": "kWh"}},
            {"value": 7.36, "measurand": "Power.Active.Import",
             "unitOfMeasure": {"unit": "W", "multiplier": 3}},
        ]},
        {"timestamp": "2026-03-10T10:01:00Z", "sampledValue": [
            {"value": 1.25446, "context": "Sample.Clock",
             "unitOfMeasure": {"unit": "Wh", "multiplier": 6}},
        ]},
    ]}]  # fmt: skip
    async with await open_raw(central, subprotocols=V201) as ws:
        assert await exchange(ws, frame) == [3, "mv", {}]
    with database.session() as session:
        charger = ChargerRepository(session, clock).find(ChargerSource.OCPP, CP_ID)
        assert charger is not None
        samples = SampleRepository(session).list_for_charger(
            charger.id, start=_at("2026-03-10T00:00:00Z"), end=_at("2026-03-11T00:00:00Z")
        )
    assert [s.extra["energy_register_wh"] for s in samples] == [1_254_360.0, 1_254_460.0]
    assert samples[0].power_kw == pytest.approx(7.36)


async def test_an_implausible_event_is_refused_and_stores_nothing(
    central: CentralSystem, database: Database
) -> None:
    frame = _event(0, "Started", "Authorized", "9999-01-01T00:00:00Z")
    async with await open_raw(central, subprotocols=V201) as ws:
        reply = await exchange(ws, frame)
    assert reply[:3] == [4, frame[1], "PropertyConstraintViolation"]
    with database.session() as session:
        assert SessionRepository(session).list() == []


async def test_boot_status_reports_and_security_events(
    central: CentralSystem, caplog: pytest.LogCaptureFixture
) -> None:
    boot = [2, "b", "BootNotification", {"reason": "PowerUp", "chargingStation": {
        "model": "SingleSocketCharger", "vendorName": "VendorX"}}]  # fmt: skip
    report = [2, "r", "NotifyReport", {"requestId": 4, "generatedAt": "2026-03-10T17:00:00Z",
        "seqNo": 0, "tbc": False, "reportData": [{"component": {"name": "EVSE", "evse": {"id": 1}},
        "variable": {"name": "AvailabilityState"},
        "variableAttribute": [{"value": "Available"}]}]}]  # fmt: skip
    security = [2, "s", "SecurityEventNotification", {"type": "InvalidFirmwareSignature",
        "timestamp": "2026-03-10T17:00:00Z", "techInfo": "bad sig"}]  # fmt: skip
    async with await open_raw(central, subprotocols=V201) as ws:
        assert await exchange(ws, boot) == [
            3, "b", {"currentTime": "2026-03-10T18:00:00Z", "interval": 300, "status": "Accepted"}
        ]  # fmt: skip
        with caplog.at_level(logging.WARNING, "chargebook.central_system.security"):
            assert await exchange(ws, security) == [3, "s", {}]
        assert await exchange(ws, report) == [3, "r", {}]
        status = [2, "st", "StatusNotification", {"timestamp": "2026-03-10T17:59:00Z",
            "connectorStatus": "Occupied", "evseId": 1, "connectorId": 1}]  # fmt: skip
        assert await exchange(ws, status) == [3, "st", {}]
        cp = central.charge_point(CP_ID)
        assert cp.connector_status == {1: "Preparing"}
        assert cp.reports[4][0]["variable"] == {"name": "AvailabilityState"}  # type: ignore[union-attr]
    assert "InvalidFirmwareSignature" in caplog.text


def _at(text: str) -> Any:
    from chargebook.central_system.readings import parse_timestamp

    return parse_timestamp(text)


async def test_the_same_plausibility_rules_as_1_6_quarantine_an_impossible_session(
    central: CentralSystem, database: Database
) -> None:
    """500 kWh in one hour is beyond any home charger (the rule 1.6 sessions and cloud
    sessions are judged by): the session is kept, quarantined, with its evidence."""
    async with await open_raw(central, subprotocols=V201) as ws:
        for frame in (
            _event(0, "Started", "Authorized", "2026-03-10T10:00:00Z",
                   meterValue=[_register(1_000.0, "2026-03-10T10:00:00Z", "Transaction.Begin")]),
            _event(1, "Ended", "StopAuthorized", "2026-03-10T11:00:00Z",
                   info={"stoppedReason": "Local"},
                   meterValue=[_register(501_000.0, "2026-03-10T11:00:00Z", "Transaction.End")]),
        ):  # fmt: skip
            assert (await exchange(ws, frame))[0] == 3
    with database.session() as session:
        [book] = SessionRepository(session).list()
        raw = SessionRepository(session).get_raw_payload(book.id)
    assert book.state is SessionState.QUARANTINED
    assert book.quarantine_reason is not None
    assert "kWh" in book.quarantine_reason
    assert len(raw["frames"]) == 2
