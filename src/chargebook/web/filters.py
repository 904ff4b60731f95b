"""Jinja filters of the pages: local times, durations, kWh and euros, formatted one way."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from jinja2 import Environment

from chargebook.book.service import BOOK_ZONE
from chargebook.clock import in_zone

DISPLAY_ZONE = BOOK_ZONE  # the book's one zone (pages show what the CLI and exports show)


def local_time(moment: datetime | None, pattern: str = "%a %d %b %Y, %H:%M") -> str:
    """A UTC moment in Dutch local time ("—" when unknown or not expressible)."""
    local = in_zone(moment, DISPLAY_ZONE) if moment is not None else None
    return local.strftime(pattern) if local is not None else "—"


def local_date(moment: datetime | None) -> str:
    return local_time(moment, "%d %b %Y")


def duration(seconds: int | float | None) -> str:
    """Whole minutes as "2 h 05 min" / "45 min" ("—" when unknown)."""
    if seconds is None:
        return "—"
    minutes = round(float(seconds) / 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def kwh(value: Decimal | float | None, digits: int = 2) -> str:
    """Energy with thousands separators and fixed decimals (no unit)."""
    if value is None:
        return "—"
    return f"{float(value):,.{digits}f}"


def eur(value: Decimal | float | None) -> str:
    """Money as "€ 1,234.56"."""
    if value is None:
        return "—"
    return f"€ {Decimal(value):,.2f}"


def install_filters(environment: Environment) -> None:
    """Register the filters on the pages' Jinja environment."""
    environment.filters.update(
        local_time=local_time, local_date=local_date, duration=duration, kwh=kwh, eur=eur
    )
