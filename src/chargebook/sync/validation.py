"""Pure checks that decide whether a session record counts or goes to quarantine.

Every rule returns a reason (a short sentence a person can act on) or None. A bad record is
never dropped: it is stored with its raw payload, state `quarantined` and the first reason.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from chargebook.domain.book import SessionEntry, SessionState
from chargebook.domain.models import Charger, SessionRecord
from chargebook.domain.plausibility import (
    ENERGY_SLACK_KWH,
    ENERGY_SLACK_RATIO,
    FALLBACK_MAX_CURRENT_A,
    MAX_PHASES,
    VOLTAGE_V,
    check_end_before_start,
    check_energy_above_maximum,
    check_negative_energy,
    fits_book,
    max_energy_kwh,
    validate_session,
)
from chargebook.sync.canonical import plain_json_bytes

__all__ = [
    "ENERGY_SLACK_KWH",
    "ENERGY_SLACK_RATIO",
    "FALLBACK_MAX_CURRENT_A",
    "MAX_PHASES",
    "VOLTAGE_V",
    "canonical_json",
    "canonical_json_bytes",
    "charger_limits",
    "check_end_before_start",
    "check_energy_above_maximum",
    "check_negative_energy",
    "check_record",
    "max_energy_kwh",
    "raw_sha256",
    "validate_session",
]

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


def check_record(
    record: SessionRecord,
    *,
    max_current_a: int | None,
    phases: int = MAX_PHASES,
    now: datetime | None = None,
) -> SessionEntry:
    """Turn a record from the cloud into a book entry: ok, or quarantined with its reason.

    The rules are `chargebook.domain.plausibility.validate_session`, the same the OCPP
    central system applies; `now` is the server's clock (timestamps within a tolerance of it).

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
        reason = validate_session(
            record.session, max_current_a=max_current_a, phases=phases, now=now
        )
    session = record.session
    if reason and session is not None and not fits_book(session):
        session = None  # a value the book's columns cannot hold: the raw payload keeps it
    return SessionEntry(
        source=record.source,
        external_id=external_id,
        charger_external_id=record.charger_external_id,
        raw=record.raw,
        raw_sha256=sha,
        raw_json=raw_json,
        session=session,
        state=SessionState.QUARANTINED if reason else SessionState.OK,
        reason=reason,
    )
