"""Shared pieces of the wire models: base config and validation that names the bad field."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from chargebook.domain.plausibility import is_shown
from chargebook.wallbox.exceptions import WallboxPayloadError

ModelT = TypeVar("ModelT", bound=BaseModel)


class WireModel(BaseModel):
    """Base for wire models: unknown keys ignored (the real payloads carry ~200 fields).

    NaN and +-Infinity are refused in every float field: Python's json reads them (and
    1e999), and a reading that is not a number must not reach the book or a page.
    """

    model_config = ConfigDict(
        populate_by_name=True, extra="ignore", frozen=True, allow_inf_nan=False
    )


def first_error(exc: ValidationError) -> tuple[str, str]:
    """(dotted field path, what is wrong) of the first validation error, without its input."""
    error = exc.errors(include_input=False, include_url=False)[0]
    path = ".".join(str(part) for part in error["loc"]) or "<root>"
    return path, str(error["msg"]).lower()


def parse_payload(
    model: type[ModelT], data: Any, *, what: str, charger_id: str | None = None
) -> ModelT:
    """Validate `data` as `model`.

    Raises:
        WallboxPayloadError: naming the first field that is missing or has the wrong type.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        path, problem = first_error(exc)
        raise WallboxPayloadError(
            f"unexpected {what} response: {path}: {problem}",
            field=path,
            charger_id=charger_id,
        ) from exc


def to_decimal(value: float | int | str | Decimal | None) -> Decimal | None:
    """A JSON number as an exact Decimal (via its shortest repr, so 0.24 stays 0.24)."""
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def from_epoch_s(value: float | int | None) -> datetime | None:
    """Epoch seconds (UTC) as an aware datetime; None stays None."""
    if value is None:
        return None
    return datetime.fromtimestamp(value, tz=UTC)


def parse_naive_utc(value: str | None) -> datetime | None:
    """Wallbox's naive "YYYY-MM-DD HH:MM:SS" timestamps, which are UTC (reference §5.5);
    None when absent, unreadable or not a time a charger can have (year 1 or 9999 cannot
    even be shown in a local zone)."""
    if not value:
        return None
    try:
        moment = datetime.strptime(value[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None
    return moment if is_shown(moment) else None
