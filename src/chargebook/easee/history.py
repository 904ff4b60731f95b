"""Session history: `GET /api/sessions/charger/{id}/sessions/{from}/{to}` (reference §2.6).

The endpoint has no paging and allows 10 calls an hour, so a range is read in windows of
`WINDOW` (92 days, about a quarter: easee-rs asks by date; the longest span Easee accepts is
not documented) starting no earlier than the charger's `createdOn`. Each item becomes a
`SessionRecord` with the item, exactly as served, as its raw evidence; an item that cannot be
read is a record with `problem` (quarantined with its evidence, never dropped). A session
that is not complete yet (`isComplete` false or no `carDisconnected`) is provisional and is
left for a later sync (the engine reads an overlap again).

Items come in two shapes over the years: with and without `actualDurationSeconds` and the
energy-transfer times (easee-rs `test_data/failing_sessions.json`); both are read. The
ongoing session (`sessions/ongoing`) has a third, different schema and is never booked.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from chargebook.clock import ensure_utc
from chargebook.domain.models import ChargingSession, SessionRecord
from chargebook.easee.wire import SOURCE, parse_time
from chargebook.errors import ApiPayloadError

BRAND = "Easee"
WINDOW = timedelta(days=92)


def windows(
    start: datetime, end: datetime, window: timedelta = WINDOW
) -> Iterator[tuple[datetime, datetime]]:
    """[start, end) in consecutive half-open windows of at most `window`."""
    cursor, end = ensure_utc(start), ensure_utc(end)
    while cursor < end:
        stop = min(cursor + window, end)
        yield cursor, stop
        cursor = stop


def path_time(moment: datetime) -> str:
    """A window bound in the path: `2024-05-01T15:55:38Z` (UTC, no '+' to escape)."""
    return ensure_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def history_items(payload: Any) -> list[Any]:
    """The answer must be a JSON list (its items are judged one by one).

    Raises:
        ApiPayloadError: it is not (the whole answer is unusable and is fetched again).
    """
    if not isinstance(payload, list):
        raise ApiPayloadError("Easee's session history is not a JSON list", brand=BRAND)
    return payload


def external_id(charger_id: str, raw: Any) -> str | None:
    """`<charger id>:<session id>`: Easee's session ids count per charger (reference §2.6)."""
    if not isinstance(raw, dict):
        return None
    session_id = raw.get("id")
    if isinstance(session_id, bool) or not isinstance(session_id, int | str) or session_id == "":
        return None
    return f"{charger_id}:{session_id}"


def is_provisional(raw: Any) -> bool:
    return isinstance(raw, dict) and (
        raw.get("isComplete") is False or raw.get("carDisconnected") is None
    )


def _decimal(value: object, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number, not {value!r}")
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:  # pragma: no cover - str(float) is always a Decimal
        raise ValueError(f"{name} is not a number") from exc


def session_record(charger_id: str, raw: Any) -> SessionRecord:
    """One history item as a record: parsed, or with the reason it could not be."""
    key = external_id(charger_id, raw)
    evidence = raw if isinstance(raw, dict) else {"item": raw}
    try:
        if not isinstance(raw, dict):
            raise ValueError("the item is not a JSON object")
        if key is None:
            raise ValueError("missing field: id")
        for name in ("carConnected", "carDisconnected", "kiloWattHours"):
            if name not in raw:
                raise ValueError(f"missing field: {name}")
        duration = raw.get("actualDurationSeconds")
        cost = raw.get("costIncludingVat")
        currency = raw.get("currency")
        session = ChargingSession(
            source=SOURCE,
            external_id=key,
            charger_external_id=charger_id,
            started_at=parse_time(raw["carConnected"]),
            ended_at=parse_time(raw["carDisconnected"]),
            energy_kwh=_decimal(raw["kiloWattHours"], "kiloWattHours"),
            mid_energy_kwh=None,  # the API proves no MID meter (easee/models.py)
            discharged_energy_kwh=Decimal(0),
            duration_s=duration if isinstance(duration, int) and duration >= 0 else None,
            cost=_decimal(cost, "costIncludingVat") if currency and cost is not None else None,
            currency=currency if isinstance(currency, str) and currency else None,
        )
    except ValueError as exc:
        return SessionRecord(SOURCE, charger_id, key, evidence, None, problem=str(exc))
    return SessionRecord(SOURCE, charger_id, key, evidence, session)
