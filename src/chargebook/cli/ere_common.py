"""Shared pieces of the `chargebook ere` commands: one transaction per command, parsing of
periods and dates, and the console."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time

import typer
from rich.console import Console

from chargebook.book_keys import open_secret_box
from chargebook.cli.console import plain_console
from chargebook.clock import FixedClock, SystemClock, in_zone
from chargebook.crypto import SecretBox
from chargebook.db import open_database
from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import DeliveryPeriod
from chargebook.domain.ere_book import parse_period
from chargebook.ere.periods import DUTCH_ZONE
from chargebook.settings import Settings, load_settings


def console() -> Console:
    """A console for this output (made per call, so COLUMNS set by a caller is honoured)."""
    return plain_console()


NOW_HELP = "Evaluate as if it were this moment (ISO date/time; default: now)."


@contextmanager
def ere_store(now: datetime | None = None) -> Iterator[EreStore]:
    """The command's unit of work: committed when the block succeeds, rolled back otherwise."""
    database = open_database(load_settings())
    clock = FixedClock(now) if now is not None else SystemClock()
    try:
        with database.transaction() as session:
            yield EreStore(session, clock)
    finally:
        database.dispose()


@contextmanager
def ere_store_with_box() -> Iterator[tuple[EreStore, SecretBox, Settings]]:
    """`ere_store` with the book's SecretBox (payout IBANs) and the settings (operator account)."""
    settings = load_settings()
    database = open_database(settings)
    try:
        box = open_secret_box(settings, database)
        with database.transaction() as session:
            yield EreStore(session, SystemClock()), box, settings
    finally:
        database.dispose()


def period_arg(text: str) -> DeliveryPeriod:
    """Parse `2026` or `2026-Q1`; a usage error (exit 2) otherwise."""
    try:
        return parse_period(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def when_arg(text: str | None) -> datetime | None:
    """A date (local midnight, Europe/Amsterdam) or an ISO date-time (naive = local) in UTC."""
    if text is None:
        return None
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), time(0), tzinfo=DUTCH_ZONE)
        else:
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=DUTCH_ZONE)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):  # 0001-01-01 local is before datetime.min in UTC
        raise typer.BadParameter(f"{text!r} is not an ISO date or date-time") from None


def local(moment: datetime | None) -> str:
    """A UTC moment as local Dutch time for tables."""
    local_moment = in_zone(moment, DUTCH_ZONE) if moment is not None else None
    return local_moment.strftime("%Y-%m-%d %H:%M") if local_moment is not None else "-"
