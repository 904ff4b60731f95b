"""Zaptec's signed meter readings: the OCMF string of `SignedSession` (and StateId 554).

`OCMF|{payload JSON}|{signature JSON}` (reference §3.4; the signature part may be absent).
Readings (`RD`) carry `TM` (time), `TX` (B begin, T intermediate, E end; absent on the hourly
fiscal readings), `RV` (the register value), `RU` (unit) and `ST` (`G` = good). A real Zaptec
Pro record (tests/zaptec/zaptec_recorded.py) gives `RU` on the first reading only: a reading without
it has the unit of the reading before it. Only good readings count as meter values.

The string itself is kept untouched as evidence (`SessionRecord.extra["signed_session"]`);
this module only reads it, it does not check the signature (the ERE's verifier can, with
the charger's public key, StateId 981).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from chargebook.zaptec.times import parse_utc

_UNITS = {"kwh": Decimal(1), "wh": Decimal("0.001")}


class OcmfError(ValueError):
    """The string is not a readable OCMF record (the reason says where)."""


@dataclass(frozen=True, slots=True)
class OcmfReading:
    """One good reading: the register in kWh at `time` (UTC); `kind` is TX (B, T, E or None)."""

    time: datetime
    kind: str | None
    kwh: Decimal


@dataclass(frozen=True, slots=True)
class SignedMeterRecord:
    """What an OCMF record says: the meter (`GS` serial, `GI` model, `GV` firmware),
    its good readings in order, and whether a signature came with it."""

    gateway_serial: str | None
    gateway_model: str | None
    gateway_version: str | None
    pagination: str | None
    readings: tuple[OcmfReading, ...]
    signature: dict[str, Any] | None

    @property
    def begin(self) -> OcmfReading | None:
        return next((r for r in self.readings if r.kind == "B"), None)

    @property
    def end(self) -> OcmfReading | None:
        return next((r for r in reversed(self.readings) if r.kind == "E"), None)

    def summary(self) -> dict[str, Any]:
        """A JSON-able digest for `SessionRecord.extra` (registers as decimal strings)."""
        return {
            "meter_serial": self.gateway_serial,
            "meter_model": self.gateway_model,
            "meter_firmware": self.gateway_version,
            "pagination": self.pagination,
            "signed": self.signature is not None,
            "readings": [
                {"time": r.time.isoformat(), "type": r.kind, "kwh": str(r.kwh)}
                for r in self.readings
            ],
            "start_kwh": str(self.begin.kwh) if self.begin else None,
            "end_kwh": str(self.end.kwh) if self.end else None,
        }


def parse_ocmf(text: str) -> SignedMeterRecord:
    """Read an OCMF string.

    Raises:
        OcmfError: not `OCMF|...`, a part is not JSON, or a good reading is unreadable.
    """
    parts = text.split("|", 2)
    if len(parts) < 2 or parts[0] != "OCMF":
        raise OcmfError("not an OCMF record (no 'OCMF|' prefix)")
    payload = _json_object(parts[1], "payload")
    signature = _json_object(parts[2], "signature") if len(parts) == 3 and parts[2] else None
    raw_readings = payload.get("RD")
    if not isinstance(raw_readings, list):
        raise OcmfError("RD: missing or not a list")
    readings: list[OcmfReading] = []
    unit: str | None = None
    for index, raw in enumerate(raw_readings):
        if not isinstance(raw, dict):
            raise OcmfError(f"RD[{index}]: not an object")
        if isinstance(raw.get("RU"), str):
            unit = raw["RU"]
        if raw.get("ST") != "G":
            continue  # a reading the meter itself marks as not good is no meter value
        readings.append(_reading(raw, unit, index))
    return SignedMeterRecord(
        gateway_serial=_text(payload.get("GS")),
        gateway_model=_text(payload.get("GI")),
        gateway_version=_text(payload.get("GV")),
        pagination=_text(payload.get("PG")),
        readings=tuple(readings),
        signature=signature,
    )


def _reading(raw: dict[str, Any], unit: str | None, index: int) -> OcmfReading:
    factor = _UNITS.get((unit or "").lower())
    if factor is None:
        raise OcmfError(f"RD[{index}].RU: unit {unit!r} is not kWh or Wh")
    value = raw.get("RV")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise OcmfError(f"RD[{index}].RV: not a number")
    try:
        kwh = Decimal(str(value)) * factor
    except InvalidOperation:
        raise OcmfError(f"RD[{index}].RV: not a number") from None
    if not kwh.is_finite() or kwh < 0:
        raise OcmfError(f"RD[{index}].RV: not a meter register")
    tm = raw.get("TM")
    if not isinstance(tm, str):
        raise OcmfError(f"RD[{index}].TM: missing")
    try:
        time = parse_utc(tm)
    except ValueError:
        raise OcmfError(f"RD[{index}].TM: not a time") from None
    kind = raw.get("TX")
    return OcmfReading(time=time, kind=kind if isinstance(kind, str) else None, kwh=kwh)


def _json_object(text: str, part: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        raise OcmfError(f"the {part} part is not JSON") from None
    if not isinstance(value, dict):
        raise OcmfError(f"the {part} part is not a JSON object")
    return value


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
