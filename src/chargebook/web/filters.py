"""Jinja filters of the pages: local times, durations, kWh and euros, formatted one way; how
a charger is connected, in the owner's words."""

from __future__ import annotations

from datetime import datetime

from jinja2 import Environment

from chargebook.book.service import BOOK_ZONE
from chargebook.clock import in_zone
from chargebook.domain.display import duration_text, eur_text, kwh_number
from chargebook.domain.models import ChargerSource

DISPLAY_ZONE = BOOK_ZONE  # the book's one zone (pages show what the CLI and exports show)


def local_time(moment: datetime | None, pattern: str = "%a %d %b %Y, %H:%M") -> str:
    """A UTC moment in Dutch local time ("—" when unknown or not expressible)."""
    local = in_zone(moment, DISPLAY_ZONE) if moment is not None else None
    return local.strftime(pattern) if local is not None else "—"


def local_date(moment: datetime | None) -> str:
    return local_time(moment, "%d %b %Y")


# How each kind of charger reaches chargebook (the dashboard's cards, the charger's page).
CONNECTIONS = {
    ChargerSource.WALLBOX_CLOUD: "myWallbox",
    ChargerSource.EASEE_CLOUD: "Easee Cloud",
    ChargerSource.ZAPTEC_CLOUD: "Zaptec cloud",
    ChargerSource.PEBLAR_LOCAL: "Peblar (local)",
    ChargerSource.OCPP: "OCPP",
}


def connection(source: ChargerSource) -> str:
    """The brand and the way a charger is connected ("Peblar (local)": on the home
    network), short enough for a card's column."""
    return CONNECTIONS.get(source, source.value)


# One way to write each quantity on every door (`domain/display.py`).
duration = duration_text
kwh = kwh_number
eur = eur_text


def install_filters(environment: Environment) -> None:
    """Register the filters on the pages' Jinja environment."""
    environment.filters.update(
        local_time=local_time,
        local_date=local_date,
        duration=duration,
        kwh=kwh,
        eur=eur,
        connection=connection,
    )
