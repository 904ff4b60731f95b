"""Charge history: `GET api/chargehistory` items as `SessionRecord`s (reference §3.6).

Each item is one completed session: `Id`, `StartDateTime`/`EndDateTime` (naive UTC),
`Energy` (kWh), and on MID chargers `SignedSession`, an OCMF string with the meter's signed
begin/end registers (null on older firmware: the docs list it as `string | null`). A good
item becomes a `ChargingSession` with the OCMF registers as `meter_start_wh`/`meter_stop_wh`
and their difference as `mid_energy_kwh`; the OCMF string itself and its readings go to
`SessionRecord.extra` (`signed_session`, `ocmf`) so the ERE can use them as evidence.

An item that cannot be read is kept with its raw payload and a `problem` (never dropped); an
unreadable OCMF is not the session's fault (the cloud's `Energy` still counts) and is only
noted (`extra["ocmf_problem"]`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from chargebook.domain.models import ChargerSource, ChargingSession, SessionRecord
from chargebook.zaptec.ocmf import OcmfError, SignedMeterRecord, parse_ocmf
from chargebook.zaptec.times import parse_utc

SOURCE = ChargerSource.ZAPTEC_CLOUD


def parse_item(item: Any, charger_id: str) -> SessionRecord:
    """One `chargehistory` item as a record; never raises."""
    raw: Mapping[str, Any] = item if isinstance(item, Mapping) else {"value": item}
    item_id = raw.get("Id")
    external_id = item_id if isinstance(item_id, str) and item_id else None
    extra: dict[str, Any] = {}

    def quarantined(problem: str, session: ChargingSession | None = None) -> SessionRecord:
        return SessionRecord(
            source=SOURCE,
            charger_external_id=charger_id,
            external_id=external_id,
            raw=raw,
            session=session,
            problem=problem,
            extra=extra,
        )

    if not isinstance(item, Mapping):
        return quarantined(f"item: expected an object, got {type(item).__name__}")
    try:
        started_at = parse_utc(_text(raw, "StartDateTime"))
        ended_at = parse_utc(_text(raw, "EndDateTime"))
    except (KeyError, ValueError) as exc:
        return quarantined(f"{exc.args[0] if exc.args else 'time'}: missing or not a time")
    energy = raw.get("Energy")
    if isinstance(energy, bool) or not isinstance(energy, int | float):
        return quarantined("Energy: missing or not a number")
    try:
        energy_kwh = Decimal(str(energy))
    except InvalidOperation:
        return quarantined("Energy: not a number")
    signed = _signed_meter(raw.get("SignedSession"), extra)
    begin = signed.begin if signed else None
    end = signed.end if signed else None
    mid_energy = end.kwh - begin.kwh if begin and end else None
    session = ChargingSession(
        source=SOURCE,
        external_id=external_id or "",
        charger_external_id=charger_id,
        started_at=started_at,
        ended_at=ended_at,
        energy_kwh=energy_kwh,
        mid_energy_kwh=mid_energy,
        discharged_energy_kwh=Decimal(0),
        duration_s=max(0, round((ended_at - started_at).total_seconds())),
        meter_start_wh=_wh(begin.kwh) if begin else None,
        meter_stop_wh=_wh(end.kwh) if end else None,
    )
    if external_id is None:
        return quarantined("Id: missing", session)
    if mid_energy is not None and mid_energy < 0:
        return quarantined("SignedSession: the end register is below the begin register", session)
    return SessionRecord(
        source=SOURCE,
        charger_external_id=charger_id,
        external_id=external_id,
        raw=raw,
        session=session,
        extra=extra,
    )


def _signed_meter(value: Any, extra: dict[str, Any]) -> SignedMeterRecord | None:
    if value is None:
        return None
    if not isinstance(value, str):
        extra["ocmf_problem"] = "SignedSession is not a string"
        return None
    extra["signed_session"] = value  # the evidence, byte for byte
    try:
        record = parse_ocmf(value)
    except OcmfError as exc:
        extra["ocmf_problem"] = str(exc)
        return None
    extra["ocmf"] = record.summary()
    return record


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str):
        raise KeyError(key)
    try:
        parse_utc(value)
    except ValueError:
        raise ValueError(key) from None
    return value


def _wh(kwh: Decimal) -> int:
    return int((kwh * 1000).to_integral_value())
