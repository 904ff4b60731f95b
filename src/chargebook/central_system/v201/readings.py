"""OCPP 2.0.1 messages as the facts the book stores: meter values in the 1.6 shape that
`central_system.readings` reads by measurand, context, phase and location, and a
TransactionEvent's facts.

A 2.0.1 sampled value differs from a 1.6 one in two ways (schema `MeterValuesRequest.json`,
`TransactionEventRequest.json`): its `value` is a JSON number, not a string, and its unit is
`unitOfMeasure {unit, multiplier}` (value x 10^multiplier; unit default "Wh" for energy,
multiplier default 0). Measurands, contexts (`Transaction.Begin`, `Sample.Periodic`,
`Transaction.End`, ...), phases and locations are spelled as in 1.6. A signed meter value
stays in the raw frame, the transaction's evidence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from chargebook.central_system.readings import parse_timestamp
from chargebook.domain.ocpp201 import TransactionEventFacts

_KEPT = ("context", "measurand", "phase", "location")


def as_v16_meter_values(meter_value: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The `meter_value` list (snake_case, as the `ocpp` library hands it over) in the 1.6
    shape: values as decimal strings with the multiplier applied, `unit` beside them."""
    return [
        {
            "timestamp": element.get("timestamp"),
            "sampled_value": [
                _as_v16(sampled)
                for sampled in element.get("sampled_value") or []
                if isinstance(sampled, Mapping)
            ],
        }
        for element in meter_value
        if isinstance(element, Mapping)
    ]


def _as_v16(sampled: Mapping[str, Any]) -> dict[str, Any]:
    converted: dict[str, Any] = {key: sampled[key] for key in _KEPT if sampled.get(key)}
    unit_of_measure = sampled.get("unit_of_measure")
    unit_of_measure = unit_of_measure if isinstance(unit_of_measure, Mapping) else {}
    if unit_of_measure.get("unit"):
        converted["unit"] = unit_of_measure["unit"]
    value = sampled.get("value")
    multiplier = unit_of_measure.get("multiplier") or 0
    try:
        number = Decimal(str(value))
        converted["value"] = str(number.scaleb(int(multiplier))) if multiplier else str(value)
    except (InvalidOperation, TypeError, ValueError):
        converted["value"] = str(value)  # not a number: the reading's parser skips it
    return converted


def transaction_event_facts(payload: Mapping[str, Any]) -> TransactionEventFacts:
    """A TransactionEvent's facts (snake_case keys; the schema checked the required ones).

    Raises:
        ValueError: the timestamp is not an ISO 8601 time.
    """
    info = payload["transaction_info"]
    evse = payload.get("evse") or {}
    id_token = payload.get("id_token") or {}
    return TransactionEventFacts(
        transaction_id=str(info["transaction_id"]),
        event_type=str(payload["event_type"]),
        timestamp=parse_timestamp(str(payload["timestamp"])),
        seq_no=int(payload["seq_no"]),
        trigger_reason=str(payload["trigger_reason"]),
        offline=bool(payload.get("offline", False)),
        evse_id=evse.get("id"),
        connector_id=evse.get("connector_id"),
        id_token=id_token.get("id_token"),
        charging_state=info.get("charging_state"),
        stopped_reason=info.get("stopped_reason"),
    )
