"""Typer callbacks that check a command's parameters before the command runs.

Every command reads times of day, energies, dates, ids, time zones and amounts through these,
so a bad value is always a usage error (exit 2) naming the value, never a traceback from deep
inside. Each callback returns the value unchanged (or normalised) when it is fine.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from chargebook.ere import AmountError, parse_amount

# Bounds a person can mean; everything outside them is a typo (and overflows SQL columns).
MAX_ENERGY_KWH = 1000.0  # far above any car battery
MAX_POWER_KW = 1000.0
MAX_ID = 2**63 - 1  # BIGINT, the widest id any table has
FIRST_DAY = date(2000, 1, 1)  # no charger history predates this
LAST_DAY = date(2100, 12, 31)
MAX_AMOUNT = Decimal("1000000")  # EUR per kWh/ERE, fee, price: a million is already absurd


def time_of_day(value: str | None) -> str | None:
    """`HH:MM` (24-hour, 00:00-23:59), normalised to two digits each."""
    if value is None:
        return None
    try:
        parsed = time.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a time of day; use HH:MM, e.g. 07:00") from None
    if parsed.tzinfo is not None:
        raise typer.BadParameter(f"{value!r}: give a local time of day without a zone")
    return parsed.strftime("%H:%M")


def _finite_between(value: float, low: float, high: float, unit: str, zero_ok: bool) -> float:
    too_low = value < low if zero_ok else value <= low
    if not math.isfinite(value) or too_low or value > high:
        least = f">= {low:g}" if zero_ok else f"above {low:g}"
        raise typer.BadParameter(f"{value!r} {unit}: give a number {least} and at most {high:g}")
    return value


def energy_kwh(value: float | None) -> float | None:
    """Energy to charge: finite, above 0, at most MAX_ENERGY_KWH."""
    if value is None:
        return None
    return _finite_between(value, 0.0, MAX_ENERGY_KWH, "kWh", zero_ok=False)


def power_kw(value: float | None) -> float | None:
    """A charging power: finite, above 0, at most MAX_POWER_KW."""
    if value is None:
        return None
    return _finite_between(value, 0.0, MAX_POWER_KW, "kW", zero_ok=False)


def percent(value: float | None) -> float | None:
    """A state of charge: finite, above 0, at most 100."""
    if value is None:
        return None
    return _finite_between(value, 0.0, 100.0, "%", zero_ok=False)


def price_per_kwh(value: float | None) -> float | None:
    """A price cap in EUR/kWh: finite and bounded (negative prices exist)."""
    if value is None:
        return None
    bound = float(MAX_AMOUNT)
    return _finite_between(value, -bound, bound, "EUR/kWh", zero_ok=True)


def minutes(value: int | None) -> int | None:
    """A duration in minutes: 0 up to one day."""
    if value is None:
        return None
    if not 0 <= value <= 24 * 60:
        raise typer.BadParameter(f"{value} min: give 0 to 1440 minutes")
    return value


def book_id(value: int | None) -> int | None:
    """An id in the book: 1 up to the widest database id."""
    if value is None:
        return None
    if not 1 <= value <= MAX_ID:
        raise typer.BadParameter(f"{value} is not an id (ids are whole numbers from 1)")
    return value


def reference(value: str | None) -> str | None:
    """A charger or session reference (`cli/refs.py`): a book id or a source's id, one line
    of at most 100 characters (the widest id a source may give)."""
    if value is None:
        return None
    text = value.strip()
    if not text or len(text) > 100 or not text.isprintable():
        raise typer.BadParameter(f"{value!r} is not an id; give the id a listing shows")
    return text


def time_zone(value: str | None) -> str | None:
    """An IANA time zone name such as Europe/Amsterdam."""
    if value is None:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe" is a directory
        raise typer.BadParameter(
            f"{value!r} is not a time zone; use e.g. Europe/Amsterdam"
        ) from None
    return value


def day(value: datetime | None) -> datetime | None:
    """A calendar day (parsed by Typer) between FIRST_DAY and LAST_DAY."""
    if value is None:
        return None
    if not FIRST_DAY <= value.date() <= LAST_DAY:
        raise typer.BadParameter(
            f"{value.date().isoformat()} is outside {FIRST_DAY.isoformat()}..{LAST_DAY.isoformat()}"
        )
    return value


def day_text(value: str | None) -> str | None:
    """A `YYYY-MM-DD` day given as text, between FIRST_DAY and LAST_DAY."""
    if value is None:
        return None
    try:
        parsed = date.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD") from None
    day(datetime.combine(parsed, time()))
    return parsed.isoformat()


def moment_text(value: str | None) -> str | None:
    """An ISO date and time (`2026-03-01T18:00`, zone optional) in the sane window."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date and time; use 2026-03-01T18:00"
        ) from None
    day(parsed.replace(tzinfo=None))
    return value.strip()


def amount(name: str, maximum: Decimal = MAX_AMOUNT) -> Callable[[str | None], str | None]:
    """A callback for a non-negative decimal typed as text (`0.27`, `0,27`), at most `maximum`."""

    def check(value: str | None) -> str | None:
        if value is None:
            return None
        try:
            parsed = parse_amount(value, name)
        except AmountError as exc:
            raise typer.BadParameter(f"{exc} (got {value!r})") from None
        if parsed > maximum:
            raise typer.BadParameter(f"{name} {value!r} is too large (at most {maximum})")
        return value

    return check


def whole_number(name: str, low: int, high: int) -> Callable[[int | None], int | None]:
    """A callback for a whole number between `low` and `high` (`name` says what it counts)."""

    def check(value: int | None) -> int | None:
        if value is not None and not low <= value <= high:
            raise typer.BadParameter(f"{value} {name}: give {low} to {high}")
        return value

    return check


def number(name: str, low: float, high: float) -> Callable[[float | None], float | None]:
    """A callback for a finite number between `low` and `high` (`name` is its unit)."""

    def check(value: float | None) -> float | None:
        if value is None:
            return None
        return _finite_between(value, low, high, name, zero_ok=True)

    return check


def year(value: int | None) -> int | None:
    """A calendar year in the sane window."""
    return whole_number("(year)", FIRST_DAY.year, LAST_DAY.year)(value)
