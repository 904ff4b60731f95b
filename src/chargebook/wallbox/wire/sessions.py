"""Session history pages (`GET v4/sessions/stats`): a strict envelope, forgiving items.

A broken envelope (no `data`, no `meta.count`, wrong types) means the whole page is unusable
and raises `WallboxPayloadError`. A broken item becomes a `SessionRecord` with `session=None`
and a `problem`, so the book can quarantine it with its raw evidence instead of losing it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationError

from chargebook.domain.models import ChargerSource, ChargingSession, SessionRecord
from chargebook.wallbox.wire.common import (
    WireModel,
    first_error,
    parse_payload,
)


def _no_bool(value: Any) -> Any:
    # pydantic's lax mode reads True as 1; a boolean timestamp or energy is a broken item.
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    return value


Number = Annotated[float, BeforeValidator(_no_bool)]
Amount = Annotated[Decimal, BeforeValidator(_no_bool)]


class _Meta(WireModel):
    count: int = Field(ge=0)


class SessionPage(WireModel):
    """The envelope; items stay raw until `records` parses them one by one."""

    meta: _Meta
    data: list[Any]


class _Currency(WireModel):
    code: str | None = None


class _SessionAttributes(WireModel):
    start: Number  # epoch s, UTC
    end: Number  # epoch s, UTC
    energy: Amount  # kWh
    mid_energy: Amount | None = None  # kWh
    discharged_energy: Amount = Decimal(0)  # kWh
    time: Annotated[int, BeforeValidator(_no_bool)] | None = None  # s
    cost: Amount | None = None
    currency: _Currency | None = None


def parse_page(payload: Any, charger_id: str) -> tuple[int, list[SessionRecord]]:
    """Validate the envelope, then turn every item into a record (good or quarantined).

    Returns:
        The server's total count for the query (`meta.count`) and this page's records.

    Raises:
        WallboxPayloadError: the envelope is broken; names the field.
    """
    page = parse_payload(SessionPage, payload, what="session page", charger_id=charger_id)
    return page.meta.count, [parse_item(item, charger_id) for item in page.data]


def parse_item(item: Any, charger_id: str) -> SessionRecord:
    """One `charger_log_session` item as a record; never raises."""
    raw: Mapping[str, Any] = item if isinstance(item, Mapping) else {"value": item}
    item_id = raw.get("id")
    external_id = str(item_id) if isinstance(item_id, str | int) and item_id != "" else None

    def quarantined(problem: str) -> SessionRecord:
        return SessionRecord(
            source=ChargerSource.WALLBOX_CLOUD,
            charger_external_id=charger_id,
            external_id=external_id,
            raw=raw,
            session=None,
            problem=problem,
        )

    if not isinstance(item, Mapping):
        return quarantined(f"item: expected an object, got {type(item).__name__}")
    if external_id is None:
        return quarantined("id: missing or not a string/number")
    attributes = item.get("attributes")
    if not isinstance(attributes, Mapping):
        return quarantined("attributes: missing or not an object")
    try:
        parsed = _SessionAttributes.model_validate(attributes)
    except ValidationError as exc:
        path, what = first_error(exc)
        return quarantined(f"{path}: {what}")
    problem = _implausible(parsed)
    if problem:
        return quarantined(problem)
    try:
        started_at = datetime.fromtimestamp(parsed.start, tz=UTC)
        ended_at = datetime.fromtimestamp(parsed.end, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return quarantined("start: not a representable epoch time")
    session = ChargingSession(
        source=ChargerSource.WALLBOX_CLOUD,
        external_id=external_id,
        charger_external_id=charger_id,
        started_at=started_at,
        ended_at=ended_at,
        energy_kwh=parsed.energy,
        mid_energy_kwh=parsed.mid_energy,
        discharged_energy_kwh=parsed.discharged_energy,
        duration_s=parsed.time,
        cost=parsed.cost,
        currency=parsed.currency.code if parsed.currency else None,
    )
    return SessionRecord(
        source=ChargerSource.WALLBOX_CLOUD,
        charger_external_id=charger_id,
        external_id=external_id,
        raw=raw,
        session=session,
    )


def _implausible(parsed: _SessionAttributes) -> str | None:
    if parsed.start < 0:
        return "start: negative timestamp"
    if parsed.end < parsed.start:
        return "end: before start"
    if parsed.energy < 0:
        return "energy: negative"
    if parsed.mid_energy is not None and parsed.mid_energy < 0:
        return "mid_energy: negative"
    if parsed.discharged_energy < 0:
        return "discharged_energy: negative"
    if parsed.time is not None and parsed.time < 0:
        return "time: negative"
    return None
