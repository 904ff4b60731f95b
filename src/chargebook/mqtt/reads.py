"""What the bridge publishes from the book, read through the book's and ERE's services
(`book.service.BookService`, `book.eres`, `ere.service.credits`): never a query of its own.

Each function runs in one database session and is synchronous; the bridge calls them on a
worker thread so a slow database never stalls the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from chargebook.book.eres import session_eres
from chargebook.book.service import BookService
from chargebook.clock import Clock
from chargebook.db import Database
from chargebook.db.ere.store import EreStore
from chargebook.domain.book import SessionState
from chargebook.domain.stored import StoredCharger
from chargebook.ere import load_parameters
from chargebook.ere.periods import DUTCH_ZONE, quarter_of
from chargebook.ere.service.credits import quarter_credits


@dataclass(frozen=True, slots=True)
class LastSession:
    session_id: int
    started_at: datetime | None
    ended_at: datetime | None
    energy_kwh: Decimal | None
    duration_s: int | None


@dataclass(frozen=True, slots=True)
class ChargerFacts:
    """A charger's book figures: its last completed session and this year's EREs."""

    last_session: LastSession | None
    year: int  # the Dutch calendar year of `ere_year`
    ere_year: Decimal  # registered EREs plus estimates of eligible sessions


@dataclass(frozen=True, slots=True)
class QuarterFigures:
    """An owner's credits of the running quarter (`ere.service.credits.QuarterCredits`)."""

    period: str  # e.g. 2026-Q1
    ere: Decimal  # every ERE of the quarter, whatever its state
    pending_ere: Decimal
    eligible_ere: Decimal
    registered_ere: Decimal
    paid_ere: Decimal
    paid_eur: Decimal
    eligible_sessions: int
    eligible_energy_kwh: Decimal
    is_estimate: bool


@dataclass(frozen=True, slots=True)
class Scope:
    """The chargers the bridge publishes and takes commands for, and their owners."""

    chargers: tuple[StoredCharger, ...]
    owner_ids: tuple[int, ...]
    unknown_owners: tuple[str, ...]  # configured e-mails that name no user

    def charger(self, charger_id: int) -> StoredCharger | None:
        return next((c for c in self.chargers if c.id == charger_id), None)


def published_scope(database: Database, clock: Clock, owners: tuple[str, ...]) -> Scope:
    """The current owners' chargers (an earlier owner's row of a transferred charger and an
    unclaimed charger without an owner are left out), limited to `owners` (e-mails) if any."""
    with database.session() as session:
        chargers = [
            c
            for c in BookService(session, None).list_chargers()
            if not c.transferred and c.owner_user_id is not None
        ]
        unknown: list[str] = []
        if owners:
            users = EreStore(session, clock).users
            wanted: set[int] = set()
            for email in owners:
                user = users.get_by_email(email)
                if user is None:
                    unknown.append(email)
                else:
                    wanted.add(user.id)
            chargers = [c for c in chargers if c.owner_user_id in wanted]
    owner_ids = sorted({c.owner_user_id for c in chargers if c.owner_user_id is not None})
    return Scope(tuple(chargers), tuple(owner_ids), tuple(unknown))


def charger_facts(database: Database, clock: Clock, charger: StoredCharger) -> ChargerFacts:
    """The charger's last completed session and the EREs of this (Dutch) year's sessions."""
    now = clock.now()
    year_start = datetime(now.astimezone(DUTCH_ZONE).year, 1, 1, tzinfo=DUTCH_ZONE)
    with database.session() as session:
        book = BookService(session, None)
        last = book.sessions(state=SessionState.OK, limit=1, charger_id=charger.id)
        this_year = book.sessions(state=SessionState.OK, charger_id=charger.id, start=year_start)
        eres = session_eres(session, clock, this_year)
    total = sum((e.ere for e in eres.values() if e.ere is not None), Decimal(0))
    found = last[0] if last else None
    return ChargerFacts(
        last_session=(
            LastSession(
                found.id, found.started_at, found.ended_at, found.energy_kwh, found.duration_s
            )
            if found is not None
            else None
        ),
        year=year_start.year,
        ere_year=total,
    )


def owner_quarter(database: Database, clock: Clock, owner_id: int) -> QuarterFigures:
    """The owner's credits of the quarter running now (as the credits page counts them)."""
    now = clock.now()
    with database.session() as session:
        store = EreStore(session, clock)
        statements = store.statements.list(customer_id=owner_id)
        q = quarter_credits(
            store, owner_id, quarter_of(now), statements, parameters=load_parameters(), now=now
        )
    return QuarterFigures(
        period=q.period.label,
        ere=q.pending_ere + q.eligible_ere + q.registered_ere + q.paid_ere,
        pending_ere=q.pending_ere,
        eligible_ere=q.eligible_ere,
        registered_ere=q.registered_ere,
        paid_ere=q.paid_ere,
        paid_eur=q.paid_eur,
        eligible_sessions=q.eligible_sessions,
        eligible_energy_kwh=q.eligible_energy_kwh,
        is_estimate=q.is_estimate,
    )
