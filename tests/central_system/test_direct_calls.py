"""The frequent CALLs answered without the `ocpp` library's `_handle_call` (`direct_calls`)
get exactly the answers the library's path gives: the same CALLERROR for every malformed
payload, the same CALLRESULT for good ones, and answers that pass the library's schemas."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ocpp.messages import CallResult, _validate_payload

from chargebook.central_system import CentralSystem
from chargebook.central_system.charge_point import OcppChargePoint
from chargebook.central_system.direct_calls import snake_keys
from chargebook.central_system.v201.charge_point import ChargePoint201

from .helpers import exchange, open_raw

NOW = "2026-03-10T18:00:00Z"  # the `clock` fixture


def _meter(**changes: Any) -> dict[str, Any]:
    sampled = {"value": "1200", "measurand": "Energy.Active.Import.Register", "unit": "Wh"}
    sampled.update(changes.pop("sampled", {}))
    element: dict[str, Any] = {"timestamp": NOW, "sampledValue": [sampled]}
    element.update(changes.pop("element", {}))
    payload: dict[str, Any] = {"connectorId": 1, "meterValue": [element]}
    payload.update(changes)
    return {k: v for k, v in payload.items() if v is not _DROP}


_DROP: Any = object()

# [action, payload]: each breaks the 1.6 schema in one way (or is fine, the last ones).
FRAMES: list[tuple[str, Any]] = [
    ("MeterValues", _meter(connectorId=_DROP)),  # required: ProtocolError
    ("MeterValues", _meter(connectorId="1")),  # type: TypeConstraintViolation
    ("MeterValues", _meter(connectorId=1.0)),  # Draft 4: 1.0 is not an integer
    ("MeterValues", _meter(connectorId=True)),
    ("MeterValues", _meter(transactionId="7")),
    ("MeterValues", _meter(vendorExtra=1)),  # additionalProperties: FormatViolation
    ("MeterValues", _meter(meterValue=[])),  # minItems
    ("MeterValues", _meter(meterValue={"timestamp": NOW})),
    ("MeterValues", _meter(element={"sampledValue": []})),
    ("MeterValues", _meter(element={"timestamp": 17})),
    ("MeterValues", _meter(element={"extra": "x"})),
    ("MeterValues", {"connectorId": 1, "meterValue": [{"sampledValue": [{"value": "1"}]}]}),
    ("MeterValues", _meter(sampled={"value": 1200})),  # a number, not a string
    ("MeterValues", _meter(sampled={"value": None})),
    ("MeterValues", _meter(sampled={"measurand": "Energy.Bogus"})),  # enum
    ("MeterValues", _meter(sampled={"unit": "mWh"})),
    ("MeterValues", _meter(sampled={"phase": "L4"})),
    ("MeterValues", _meter(sampled={"location": 3})),
    ("MeterValues", _meter(sampled={"signature": "x"})),
    ("MeterValues", [1, 2]),  # not an object
    ("MeterValues", "text"),
    ("StatusNotification", {"connectorId": 1, "errorCode": "NoError"}),
    ("StatusNotification", {"connectorId": 1, "errorCode": "Bogus", "status": "Available"}),
    ("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Idle"}),
    (
        "StatusNotification",
        {"connectorId": 1, "errorCode": "NoError", "status": "Available", "info": "x" * 51},
    ),
    (
        "StatusNotification",
        {"connectorId": "1", "errorCode": "NoError", "status": "Available", "timestamp": NOW},
    ),
    ("Heartbeat", {"x": 1}),
    ("Heartbeat", []),
    # Good ones: the same CALLRESULT.
    ("Heartbeat", {}),
    ("MeterValues", _meter()),
    ("MeterValues", _meter(sampled={"value": " 0.0", "context": "Sample.Periodic"})),
    ("MeterValues", _meter(sampled={"context": "sample.periodic"})),  # respelled (wire_spelling)
    (
        "StatusNotification",
        {"connectorId": 1, "errorCode": "NoError", "status": "Available", "info": "x" * 50},
    ),
]


GOOD = 5  # the last ones


async def _answers(central: CentralSystem) -> list[list[Any]]:
    async with await open_raw(central) as ws:
        return [
            await exchange(ws, [2, f"m{n}", action, payload])
            for n, (action, payload) in enumerate(FRAMES)
        ]


async def test_every_answer_is_the_librarys(
    central: CentralSystem, monkeypatch: pytest.MonkeyPatch
) -> None:
    direct = await _answers(central)
    monkeypatch.setattr(OcppChargePoint, "direct_actions", frozenset())  # the library's path
    library = await _answers(central)
    assert direct == library
    errors = [answer for answer in direct if answer[0] == 4]
    assert len(errors) == len(FRAMES) - GOOD  # every malformed frame was refused
    codes = {answer[2] for answer in errors}
    assert {"ProtocolError", "TypeConstraintViolation", "FormatViolation"} <= codes


async def test_direct_answers_pass_the_librarys_schemas(central: CentralSystem) -> None:
    async with await open_raw(central) as ws:
        for n, (action, payload) in enumerate(FRAMES[-GOOD:]):
            answer = await exchange(ws, [2, f"g{n}", action, payload])
            assert answer[0] == 3, answer
            result = CallResult(answer[1], answer[2])
            result.action = action
            _validate_payload(result, "1.6")  # raises if the answer breaks the schema


def test_snake_keys_converts_as_the_library() -> None:
    from ocpp.charge_point import camel_to_snake_case

    payload = json.loads(
        '{"connectorId": 1, "meterValue": [{"sampledValue": [{"measurand": "SoC"}]}],'
        ' "ocppCSMSURL": "u", "chargeBoxSerialNumber": "A", "V2XFlag": 1, "iso15118Id": 2}'
    )
    assert snake_keys(payload) == camel_to_snake_case(payload)
    assert snake_keys(payload) == camel_to_snake_case(payload)  # memoized: still the same


def _event(**changes: Any) -> dict[str, Any]:
    sampled = {"value": 171.0, "measurand": "Energy.Active.Import.Register"}
    sampled.update(changes.pop("sampled", {}))
    payload: dict[str, Any] = {
        "eventType": "Started",
        "timestamp": NOW,
        "triggerReason": "CablePluggedIn",
        "seqNo": 0,
        "transactionInfo": {"transactionId": "tx-1", "chargingState": "EVConnected"},
        "evse": {"id": 1, "connectorId": 1},
        "meterValue": [{"timestamp": NOW, "sampledValue": [sampled]}],
    }
    payload.update(changes)
    return {k: v for k, v in payload.items() if v is not _DROP}


_STATUS_201 = {"timestamp": NOW, "connectorStatus": "Occupied", "evseId": 1, "connectorId": 1}
FRAMES_201: list[tuple[str, Any]] = [
    ("TransactionEvent", _event(seqNo=_DROP)),
    ("TransactionEvent", _event(seqNo="0")),
    ("TransactionEvent", _event(eventType="Begun")),
    ("TransactionEvent", _event(transactionInfo={"transactionId": "x" * 37})),  # maxLength
    ("TransactionEvent", _event(transactionInfo={"chargingState": "Charging"})),
    ("TransactionEvent", _event(evse={"id": "1"})),
    ("TransactionEvent", _event(sampled={"value": "171"})),  # a number in 2.0.1
    ("TransactionEvent", _event(sampled={"unitOfMeasure": {"unit": 3}})),
    ("TransactionEvent", _event(meterValue=[])),
    ("TransactionEvent", _event(extra=1)),
    ("MeterValues", {"evseId": 0, "meterValue": [{"timestamp": NOW}]}),
    ("MeterValues", {"evseId": 0}),
    ("StatusNotification", {**_STATUS_201, "connectorStatus": "Charging"}),
    ("StatusNotification", {**_STATUS_201, "evseId": None}),
    ("Heartbeat", {"x": 1}),
    # Good ones: the same CALLRESULT.
    ("Heartbeat", {}),
    ("StatusNotification", _STATUS_201),
    ("MeterValues", {"evseId": 0, "meterValue": [{"timestamp": NOW,
                                                  "sampledValue": [{"value": 1}]}]}),
    ("TransactionEvent", _event()),
    ("TransactionEvent", _event(seqNo=1, eventType="Updated", triggerReason="Authorized",
                                idToken={"idToken": "04A2B3", "type": "ISO14443"})),
]  # fmt: skip
GOOD_201 = 5


async def _answers_201(central: CentralSystem) -> list[list[Any]]:
    async with await open_raw(central, subprotocols=["ocpp2.0.1"]) as ws:
        return [
            await exchange(ws, [2, f"n{n}", action, payload])
            for n, (action, payload) in enumerate(FRAMES_201)
        ]


async def test_every_201_answer_is_the_librarys(
    central: CentralSystem, monkeypatch: pytest.MonkeyPatch
) -> None:
    direct = await _answers_201(central)
    monkeypatch.setattr(ChargePoint201, "direct_actions", frozenset())  # the library's path
    library = await _answers_201(central)
    assert direct == library
    assert [answer[0] for answer in direct] == [4] * (len(FRAMES_201) - GOOD_201) + [3] * GOOD_201
    for (action, _), answer in zip(FRAMES_201[-GOOD_201:], direct[-GOOD_201:], strict=True):
        result = CallResult(answer[1], answer[2])
        result.action = action
        _validate_payload(result, "2.0.1")  # the direct answers pass the schema
