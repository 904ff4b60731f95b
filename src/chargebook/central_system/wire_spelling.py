"""Sampled values in the 1.6 schema's own spelling, before schema validation.

Real chargers send OCPP 1.6 enumerations their own way: a MicroOcpp-based charger reports the
measurand "Current.import" and a frequency in "Hz" (matth-x/MicroOcpp #128). The `ocpp` library
validates payloads against the 1.6 JSON schemas, whose enums are case-sensitive, so one such
sampled value made the whole MeterValues a FormatViolation and its energy reading was lost.

`spell_sampled_values` maps each enumerated field of a sampled value to the schema's spelling
when it matches case-insensitively, and leaves out a sampled value that still names something
the schema does not know (it could only be guessed at). Everything else stays for the schema to
judge; the raw frame kept as evidence is never changed.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

_CARRIERS = {"MeterValues": "meterValue", "StopTransaction": "transactionData"}


def _schema_enums() -> dict[str, dict[str, str]]:
    # The schema the library validates with is the authority (its unit enum, e.g., has both
    # the spec's "Celcius" typo and "Celsius"; the library's Python enum has only one).
    text = resources.files("ocpp.v16").joinpath("schemas/MeterValues.json").read_text()
    schema = json.loads(text)
    sampled = schema["properties"]["meterValue"]["items"]["properties"]["sampledValue"]
    return {
        field: {str(value).lower(): str(value) for value in spec["enum"]}
        for field, spec in sampled["items"]["properties"].items()
        if "enum" in spec
    }


_ENUMS = _schema_enums()
_EXACT = {field: frozenset(spellings.values()) for field, spellings in _ENUMS.items()}
_FIELDS = tuple((field, _EXACT[field], spellings) for field, spellings in _ENUMS.items())


def spell_sampled_values(action: str, payload: Any) -> Any:
    """The payload with its sampled values in schema spelling (changed in place).

    Only MeterValues (`meterValue`) and StopTransaction (`transactionData`) carry sampled values;
    other payloads are returned as they are.
    """
    key = _CARRIERS.get(action)
    if key is None or not isinstance(payload, dict):
        return payload
    for meter_value in payload.get(key) or []:
        if isinstance(meter_value, dict) and isinstance(meter_value.get("sampledValue"), list):
            meter_value["sampledValue"] = [
                sampled
                for sampled in meter_value["sampledValue"]
                if not isinstance(sampled, dict) or _spell(sampled)
            ]
    return payload


def _spell(sampled: dict[str, Any]) -> bool:
    """Respell one sampled value in place; False if it names an unknown enumeration."""
    for field, exact, spellings in _FIELDS:
        value = sampled.get(field)
        if not isinstance(value, str) or value in exact:  # mostly: the spec's spelling already
            continue  # (a non-string is left for the schema to refuse)
        spelled = spellings.get(value.strip().lower())
        if spelled is None:
            return False
        sampled[field] = spelled
    return True
