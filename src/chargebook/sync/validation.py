"""Pure checks that decide whether a session record counts or goes to quarantine.

Every rule returns a reason (a short sentence a person can act on) or None. A bad record is
never dropped: it is stored with its raw payload, state `quarantined` and the first reason.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from chargebook.domain.book import SessionEntry, SessionState
from chargebook.domain.models import Charger, ChargingSession, SessionRecord
from chargebook.sync.canonical import plain_json_bytes

# EU mains: 230 V per phase. Without knowing the phases, three is the upper bound.
VOLTAGE_V = Decimal(230)
MAX_PHASES = 3
# When the charger's maximum current is unknown: the highest a Wallbox model allows (48 A).
FALLBACK_MAX_CURRENT_A = 48
# The cloud rounds energy to 3 decimals and times to seconds; allow that much slack.
ENERGY_SLACK_KWH = Decimal("0.01")
ENERGY_SLACK_RATIO = Decimal("1.01")


# Every EU Wallbox model is built for 32 A. The charger list reports the *configured* current,
# which the owner may have lowered after older sessions charged faster; never go below this.
HARDWARE_MIN_MAX_CURRENT_A = 32


def charger_limits(charger: Charger) -> tuple[int, int]:
    """The (max current A, phases) upper bound of a charger's power.

    The first Quasar is single-phase (7.4 kW); for every other model three phases is the
    safe upper bound.
    """
    current_a = max(charger.max_current_a or 0, HARDWARE_MIN_MAX_CURRENT_A)
    model = charger.model.lower()
    part_number = (charger.part_number or "").upper()
    single_phase = ("quasar" in model and "quasar 2" not in model) or part_number.startswith("QSP1")
    return current_a, 1 if single_phase else MAX_PHASES


def _reference_json(raw: Mapping[str, Any]) -> str:
    return json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def canonical_json_bytes(raw: Mapping[str, Any]) -> tuple[str, bytes]:
    """The canonical JSON of a raw payload as (text, UTF-8 bytes).

    orjson where it is byte-identical to `json.dumps` (`chargebook.sync.canonical`), else
    `json.dumps` itself: the bytes and the hash of a payload never depend on the path.

    Raises:
        UnicodeEncodeError: the payload holds a lone surrogate (not encodable as UTF-8).
    """
    data = plain_json_bytes(raw)
    if data is not None:
        return data.decode("utf-8"), data
    text = _reference_json(raw)
    return text, text.encode("utf-8")


def canonical_json(raw: Mapping[str, Any]) -> str:
    """The raw payload as canonical JSON (sorted keys, no spaces): what `raw_sha256` hashes."""
    data = plain_json_bytes(raw)
    return data.decode("utf-8") if data is not None else _reference_json(raw)


def raw_sha256(raw: Mapping[str, Any]) -> str:
    """Hex sha256 of the canonical JSON of a raw session payload."""
    return hashlib.sha256(canonical_json_bytes(raw)[1]).hexdigest()


def max_energy_kwh(
    started_at: datetime, ended_at: datetime, *, max_current_a: int | None, phases: int = 3
) -> Decimal:
    """The most energy a charger can deliver in [started_at, ended_at), in kWh.

    Power bound = max current (A) x 230 V x phases; without slack (added by the caller).
    """
    current_a = Decimal(max_current_a if max_current_a else FALLBACK_MAX_CURRENT_A)
    seconds = Decimal(max(0.0, (ended_at - started_at).total_seconds()))
    return current_a * VOLTAGE_V * Decimal(phases) * seconds / Decimal(3_600_000)


def check_negative_energy(session: ChargingSession) -> str | None:
    """Energies are never negative."""
    for name, value in (
        ("energy", session.energy_kwh),
        ("mid_energy", session.mid_energy_kwh),
        ("discharged_energy", session.discharged_energy_kwh),
    ):
        if value is not None and value < 0:
            return f"negative {name}: {value} kWh"
    return None


def check_end_before_start(session: ChargingSession) -> str | None:
    """A session ends at or after its start."""
    if session.ended_at < session.started_at:
        return (
            f"end before start: {session.ended_at.isoformat()} < {session.started_at.isoformat()}"
        )
    return None


def check_energy_above_maximum(
    session: ChargingSession, *, max_current_a: int | None, phases: int = MAX_PHASES
) -> str | None:
    """The energy fits in the charger's maximum power times the session's duration."""
    # Nearly every session is far below the bound: decide those in float arithmetic (an
    # error of ~1e-15 cannot bridge a 0.1 % margin) and leave anything near it to Decimals.
    seconds = (session.ended_at - session.started_at).total_seconds()
    current_a = max_current_a or FALLBACK_MAX_CURRENT_A
    bound_kwh = current_a * float(VOLTAGE_V) * phases * seconds / 3_600_000
    if float(session.energy_kwh) < bound_kwh * 0.999:
        return None
    limit = max_energy_kwh(
        session.started_at, session.ended_at, max_current_a=max_current_a, phases=phases
    )
    if session.energy_kwh > limit * ENERGY_SLACK_RATIO + ENERGY_SLACK_KWH:
        current = max_current_a or FALLBACK_MAX_CURRENT_A
        return (
            f"energy above the charger's maximum: {session.energy_kwh} kWh > "
            f"{limit.quantize(Decimal('0.001'))} kWh ({current} A x 230 V x {phases} phases)"
        )
    return None


def validate_session(
    session: ChargingSession, *, max_current_a: int | None, phases: int = MAX_PHASES
) -> str | None:
    """The first reason to quarantine a parsed session, or None when it may count."""
    return (
        check_negative_energy(session)
        or check_end_before_start(session)
        or check_energy_above_maximum(session, max_current_a=max_current_a, phases=phases)
    )


def check_record(
    record: SessionRecord, *, max_current_a: int | None, phases: int = MAX_PHASES
) -> SessionEntry:
    """Turn a record from the cloud into a book entry: ok, or quarantined with its reason.

    A record without an id gets a stable synthetic one (`missing-id:<sha256 prefix>`), so the
    same bad record read twice is still stored once.
    """
    raw_json, data = canonical_json_bytes(record.raw)
    sha = hashlib.sha256(data).hexdigest()
    external_id = record.external_id or f"missing-id:{sha[:32]}"
    reason: str | None
    if record.session is None:
        reason = record.problem or "the record could not be parsed"
    elif record.problem:
        reason = record.problem
    elif not record.external_id:
        reason = "missing field: id"
    else:
        reason = validate_session(record.session, max_current_a=max_current_a, phases=phases)
    return SessionEntry(
        source=record.source,
        external_id=external_id,
        charger_external_id=record.charger_external_id,
        raw=record.raw,
        raw_sha256=sha,
        raw_json=raw_json,
        session=record.session,
        state=SessionState.QUARANTINED if reason else SessionState.OK,
        reason=reason,
    )
