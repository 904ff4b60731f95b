"""`schema_check.certainly_valid` never passes a payload the library's Draft 4 validation
refuses (thousands of seeded mutations of good payloads, every 1.6 action a charger sends),
and passes the good payloads themselves (else it would save nothing)."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest
from ocpp.messages import MessageType, get_validator

from chargebook.central_system.schema_check import certainly_valid, compile_check

T = "2026-03-10T18:00:00Z"
_SAMPLED = {
    "value": "1200",
    "context": "Sample.Periodic",
    "format": "Raw",
    "measurand": "Energy.Active.Import.Register",
    "phase": "L1",
    "location": "Outlet",
    "unit": "Wh",
}
GOOD: dict[str, dict[str, Any]] = {
    "Authorize": {"idTag": "TAG"},
    "BootNotification": {
        "chargePointVendor": "V",
        "chargePointModel": "M",
        "chargePointSerialNumber": "S",
        "firmwareVersion": "1.0",
        "meterType": "MID",
    },
    "DataTransfer": {"vendorId": "V", "messageId": "m", "data": "d"},
    "DiagnosticsStatusNotification": {"status": "Uploaded"},
    "FirmwareStatusNotification": {"status": "Installed"},
    "Heartbeat": {},
    "MeterValues": {
        "connectorId": 1,
        "transactionId": 7,
        "meterValue": [{"timestamp": T, "sampledValue": [_SAMPLED, {"value": "3"}]}],
    },
    "StartTransaction": {"connectorId": 1, "idTag": "T", "meterStart": 0, "timestamp": T},
    "StatusNotification": {
        "connectorId": 1,
        "errorCode": "NoError",
        "status": "Charging",
        "info": "i",
        "timestamp": T,
        "vendorId": "v",
        "vendorErrorCode": "e",
    },
    "StopTransaction": {
        "meterStop": 10,
        "timestamp": T,
        "transactionId": 7,
        "reason": "Local",
        "idTag": "T",
        "transactionData": [{"timestamp": T, "sampledValue": [_SAMPLED]}],
    },
}
_SAMPLED_201 = {
    "value": 171.5,
    "context": "Sample.Periodic",
    "measurand": "Energy.Active.Import.Register",
    "phase": "L1",
    "location": "Outlet",
    "unitOfMeasure": {"unit": "Wh", "multiplier": 0},
}
GOOD_201: dict[str, dict[str, Any]] = {
    "Heartbeat": {},
    "StatusNotification": {
        "timestamp": T,
        "connectorStatus": "Occupied",
        "evseId": 1,
        "connectorId": 1,
    },
    "MeterValues": {"evseId": 0, "meterValue": [{"timestamp": T, "sampledValue": [_SAMPLED_201]}]},
    "TransactionEvent": {
        "eventType": "Updated",
        "timestamp": T,
        "triggerReason": "MeterValuePeriodic",
        "seqNo": 2,
        "offline": False,
        "numberOfPhasesUsed": 3,
        "transactionInfo": {"transactionId": "tx-1", "chargingState": "Charging"},
        "idToken": {"idToken": "04A2B3", "type": "ISO14443"},
        "evse": {"id": 1, "connectorId": 1},
        "meterValue": [{"timestamp": T, "sampledValue": [_SAMPLED_201, {"value": 3}]}],
    },
}
CASES = [("1.6", action, GOOD[action]) for action in sorted(GOOD)]
CASES += [("2.0.1", action, GOOD_201[action]) for action in sorted(GOOD_201)]
_VALUES: list[Any] = [None, True, False, 0, 1, -1, 1.0, 1.5, 2**70, "", "x", "x" * 60]
_VALUES += ["Wh", "L1", "Raw", "NoError", "Charging", "Local", T, [], {}, [{}], [1], {"a": 1}]
_VALUES += ["Occupied", "Updated", "ISO14443", "x" * 37, {"unit": "Wh"}, {"id": 1}]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


def _mutate(payload: Any, rng: random.Random) -> Any:
    payload = copy.deepcopy(payload)
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(_paths(payload))
        if not path:
            payload = rng.choice(_VALUES) if rng.random() < 0.1 else payload
            continue
        parent = payload
        for step in path[:-1]:
            parent = parent[step]
        key, roll = path[-1], rng.random()
        if roll < 0.3 and isinstance(parent, dict):
            del parent[key]
        elif roll < 0.4 and isinstance(parent, dict):
            parent[rng.choice(["zz", "value", "unit", "idTag"])] = rng.choice(_VALUES)
        elif roll < 0.5 and isinstance(parent, list):
            parent.append(copy.deepcopy(rng.choice([parent[key], *_VALUES])))
        else:
            parent[key] = copy.deepcopy(rng.choice(_VALUES))
    return payload


@pytest.mark.parametrize(("version", "action", "good"), CASES)
def test_never_passes_what_draft4_refuses(version: str, action: str, good: Any) -> None:
    validator = get_validator(MessageType.Call, action, version)
    assert validator.is_valid(good)
    assert certainly_valid(action, version, good)  # the fast path is taken
    rng = random.Random(f"{version}{action}")
    passed = refused = 0
    for _ in range(1500):
        payload = _mutate(good, rng)
        if certainly_valid(action, version, payload):
            passed += 1
            assert validator.is_valid(payload), payload
        elif not validator.is_valid(payload):
            refused += 1
    assert refused > 100  # the mutations do break payloads
    assert passed > 0 or action == "Heartbeat"


def test_unknown_keywords_are_never_passed() -> None:
    assert not compile_check({"type": "string", "pattern": "^a"})("a")
    assert not compile_check({"type": ["string", "null"]})("a")
    assert not compile_check({"type": "object", "additionalProperties": {"type": "string"}})({})
    assert not compile_check({"enum": [1, 2]})(1)
    assert not certainly_valid("NoSuchAction", "1.6", {})
    # References: only into the schema's own definitions, never a chain of them.
    root = {"definitions": {"A": {"type": "string"}, "B": {"$ref": "#/definitions/A"}}}
    assert compile_check({"$ref": "#/definitions/A"}, root)("a")
    assert not compile_check({"$ref": "#/definitions/A"}, root)(1)
    assert not compile_check({"$ref": "#/definitions/B"}, root)("a")
    assert not compile_check({"$ref": "other.json#/A"}, root)("a")
    loop: dict[str, Any] = {"type": "object", "properties": {}}
    loop["properties"]["next"] = loop  # a schema without end compiles, to a bounded depth
    deep: dict[str, Any] = {}
    for _ in range(50):
        deep = {"next": deep}
    assert compile_check(loop)({"next": {}})
    assert not compile_check(loop)(deep)  # deeper than any OCPP payload: the library decides
