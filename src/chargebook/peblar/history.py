"""The MID meter log (`GET /api/v1/statistics/meterhistory`) as the book's `SessionRecord`s.

Each `Session` item is one session as the charger's certified meter logged it: its number,
start and end as Unix seconds, and the meter's register at both ends in **mWh**
(`SessionStartEnergymWh`, `SessionEndEnergymWh`; python-peblar `PeblarMeterHistorySession`,
HA core's tests/components/peblar/fixtures/meter_history.json). `CorruptedSession` runs
parallel to `Session`: the charger's own verdict that a record no longer matches its checksum.

- The external id is `<ProductSn>:<SessionNumber>`: session numbers count per charger.
- A running session (no end yet) is left out: it is read once it ended (the sync re-reads
  the last two days, so a session is booked on the first sync after it ended).
- A record the charger calls corrupted, or one that cannot be read, becomes a record with a
  `problem` (quarantined by the sync with its raw item), never dropped.
- `mid_energy_kwh` is the energy only when the log's `MetaData.MidCertified` is true.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from chargebook.domain.models import ChargerSource, ChargingSession, SessionRecord
from chargebook.peblar.wire import as_object, payload_error

MWH_PER_KWH = Decimal(1_000_000)


@dataclass(frozen=True, slots=True)
class MeterLogMeta:
    """`MetaData` of the meter log: what the log says about the meter itself."""

    mid_certified: bool | None
    serial: str | None
    part_number: str | None
    time_zone: str | None
    meter_hash: str | None


@dataclass(frozen=True, slots=True)
class MeterLog:
    meta: MeterLogMeta | None
    items: list[tuple[Mapping[str, Any] | Any, bool]]  # (raw item, charger says corrupted)


def read_meter_log(payload: Any) -> MeterLog:
    data = as_object(payload, "statistics/meterhistory")
    if data.get("NoSessions") is True:
        return MeterLog(meta=None, items=[])
    sessions = data.get("Session")
    corrupted = data.get("CorruptedSession") or []
    if not isinstance(sessions, list):
        raise payload_error(f"Session: expected a list, got {type(sessions).__name__}")
    if not isinstance(corrupted, list):
        raise payload_error("CorruptedSession: expected a list")
    meta_raw = data.get("MetaData")
    meta = None
    if isinstance(meta_raw, Mapping):
        certified = meta_raw.get("MidCertified")
        meta = MeterLogMeta(
            mid_certified=certified if isinstance(certified, bool) else None,
            serial=_text(meta_raw.get("ProductSn")),
            part_number=_text(meta_raw.get("ProductPn")),
            time_zone=_text(meta_raw.get("TimeZone")),
            meter_hash=_text(meta_raw.get("MeterHash")),
        )
    flags = [bool(corrupted[i]) if i < len(corrupted) else False for i in range(len(sessions))]
    return MeterLog(meta=meta, items=list(zip(sessions, flags, strict=True)))


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _epoch(value: Any, name: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name}: expected Unix seconds, got {value!r}")
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise ValueError(f"{name}: not a representable time") from exc


def _mwh(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name}: expected an integer (mWh), got {value!r}")
    if value < 0:
        raise ValueError(f"{name}: negative")
    return value


def session_records(log: MeterLog, *, charger_id: str, serial: str) -> Iterator[SessionRecord]:
    """Every ended session of the log, read or quarantined, in log order."""
    certified = log.meta.mid_certified if log.meta else None
    for raw, corrupted in log.items:
        record = _record(raw, corrupted, charger_id=charger_id, serial=serial, mid=certified)
        if record is not None:
            yield record


def _record(
    raw: Any, corrupted: bool, *, charger_id: str, serial: str, mid: bool | None
) -> SessionRecord | None:
    source = ChargerSource.PEBLAR_LOCAL
    item: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {"item": raw}
    number = item.get("SessionNumber")
    external_id = (
        f"{serial}:{number}" if isinstance(number, int) and not isinstance(number, bool) else None
    )

    def quarantined(problem: str) -> SessionRecord:
        return SessionRecord(source, charger_id, external_id, item, None, problem=problem)

    if not isinstance(raw, Mapping):
        return quarantined(f"item: expected an object, got {type(raw).__name__}")
    if external_id is None:
        return quarantined("SessionNumber: missing or not an integer")
    if raw.get("SessionEndTime") is None and raw.get("SessionEndEnergymWh") is None:
        return None  # still running: booked once it ended
    if corrupted:
        return quarantined("the charger marks this meter record as corrupted (checksum)")
    try:
        started = _epoch(raw.get("SessionStartTime"), "SessionStartTime")
        ended = _epoch(raw.get("SessionEndTime"), "SessionEndTime")
        start_mwh = _mwh(raw.get("SessionStartEnergymWh"), "SessionStartEnergymWh")
        end_mwh = _mwh(raw.get("SessionEndEnergymWh"), "SessionEndEnergymWh")
    except ValueError as exc:
        return quarantined(str(exc))
    if end_mwh < start_mwh:
        return quarantined("SessionEndEnergymWh: below the start register")
    energy = Decimal(end_mwh - start_mwh) / MWH_PER_KWH
    session = ChargingSession(
        source=source,
        external_id=external_id,
        charger_external_id=charger_id,
        started_at=started,
        ended_at=ended,
        energy_kwh=energy,
        mid_energy_kwh=energy if mid is True else None,
        discharged_energy_kwh=Decimal(0),
        duration_s=int((ended - started).total_seconds()),
        meter_start_wh=start_mwh // 1000,
        meter_stop_wh=end_mwh // 1000,
    )
    return SessionRecord(source, charger_id, external_id, raw, session)


@dataclass(frozen=True, slots=True)
class MidEvidence:
    """What the charger's APIs prove about a MID meter (reference §7.2).

    `verdict` is "mid" only when the meter log itself says `MidCertified`; "not_mid" when it
    says false or the hardware has no meter; otherwise "unknown" (the owner's type plate
    settles it: `HwHasMeter`, the meter display and the Eichrecht marking are hints, not proof).
    """

    has_meter: bool | None
    meter_display: bool | None
    eichrecht_marking: bool | None
    mid_certified: bool | None

    @property
    def verdict(self) -> str:
        if self.has_meter is False or self.mid_certified is False:
            return "not_mid"
        if self.mid_certified is True:
            return "mid"
        return "unknown"
