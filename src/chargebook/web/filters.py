"""Jinja filters of the pages: local times, durations, kWh and euros, formatted one way."""

from __future__ import annotations

from datetime import datetime

from jinja2 import Environment

from chargebook.book.service import BOOK_ZONE
from chargebook.clock import in_zone
from chargebook.domain.display import duration_text, eur_text, kwh_number

DISPLAY_ZONE = BOOK_ZONE  # the book's one zone (pages show what the CLI and exports show)


def local_time(moment: datetime | None, pattern: str = "%a %d %b %Y, %H:%M") -> str:
    """A UTC moment in Dutch local time ("—" when unknown or not expressible)."""
    local = in_zone(moment, DISPLAY_ZONE) if moment is not None else None
    return local.strftime(pattern) if local is not None else "—"


def local_date(moment: datetime | None) -> str:
    return local_time(moment, "%d %b %Y")


# One way to write each quantity on every door (`domain/display.py`).
duration = duration_text
kwh = kwh_number
eur = eur_text


def install_filters(environment: Environment) -> None:
    """Register the filters on the pages' Jinja environment."""
    environment.filters.update(
        local_time=local_time, local_date=local_date, duration=duration, kwh=kwh, eur=eur
    )
