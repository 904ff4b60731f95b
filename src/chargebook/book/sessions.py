"""The viewer's sessions in a filter (local dates, charger) with their charger's names and
totals: what the sessions page lists and what every export of the book writes.

Ownership goes through `BookService` (the charger filter, the totals and the pages).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from chargebook.book.cursor import SessionCursor
from chargebook.book.service import BOOK_ZONE, BookService, charger_zone
from chargebook.db import SampleRepository, SqlSession
from chargebook.domain.access import Viewer
from chargebook.domain.book import SessionSample, SessionState
from chargebook.domain.stored import BookSession

# Sessions per page of the list (older ones page by keyset: `SessionList.next_cursor`).
PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class SessionFilter:
    """Sessions that started on local dates [start, end] (inclusive), of one charger or all."""

    start: date | None = None
    end: date | None = None
    charger_id: int | None = None

    @property
    def start_utc(self) -> datetime | None:
        if self.start is None:
            return None
        return datetime.combine(self.start, time(0), tzinfo=BOOK_ZONE)

    @property
    def end_utc(self) -> datetime | None:
        """The exclusive end: local midnight after the last day."""
        if self.end is None:
            return None
        return datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=BOOK_ZONE)

    def query(self) -> str:
        """The filter as a query string (for export links)."""
        parts = []
        if self.start:
            parts.append(f"start={self.start.isoformat()}")
        if self.end:
            parts.append(f"end={self.end.isoformat()}")
        if self.charger_id is not None:
            parts.append(f"charger={self.charger_id}")
        return "&".join(parts)


@dataclass(frozen=True, slots=True)
class SessionList:
    sessions: list[BookSession]
    charger_names: dict[int, str]
    count: int
    energy_kwh: Decimal
    duration_s: int
    cost: Decimal | None
    truncated: bool  # more sessions than shown: there is an older page
    next_cursor: SessionCursor | None = None  # where the older page starts
    paged: bool = False  # this is an older page (not the newest)


def list_sessions(
    db: SqlSession,
    viewer: Viewer | None,
    chosen: SessionFilter,
    *,
    limit: int | None = PAGE_SIZE,
    cursor: SessionCursor | None = None,
) -> SessionList:
    """The viewer's ok sessions in the filter, newest first (a page of `limit` after `cursor`,
    or all when `limit` is None), with totals over all of them (summed in SQL). `viewer`
    None: the whole book (the CLI).

    Raises:
        NotFoundError: the charger is not the viewer's.
    """
    book = BookService(db, viewer)
    # The totals are summed in the database: a long history is thousands of sessions, and
    # the page shows only the newest `limit` of them. They check the charger is the viewer's.
    start, end = chosen.start_utc, chosen.end_utc
    totals = book.session_totals(charger_id=chosen.charger_id, start=start, end=end)
    names = {c.id: c.charger.name for c in book.list_chargers()}
    if limit is None:
        shown = book.sessions(
            state=SessionState.OK, charger_id=chosen.charger_id, start=start, end=end
        )
        next_cursor = None
    else:  # a keyset page: the same cost at any depth
        page = book.session_page(
            cursor=cursor, limit=limit, charger_id=chosen.charger_id, state=SessionState.OK,
            start=start, end=end,
        )  # fmt: skip
        shown, next_cursor = page.sessions, page.next_cursor
    return SessionList(
        sessions=shown,
        charger_names=names,
        count=totals.count,
        energy_kwh=totals.energy_kwh,
        duration_s=totals.duration_s,
        cost=totals.cost,
        truncated=next_cursor is not None,
        next_cursor=next_cursor,
        paged=cursor is not None,
    )


@dataclass(frozen=True, slots=True)
class SessionChart:
    """A session with what its chart draws: its samples, in its charger's zone."""

    session: BookSession
    time_zone: str
    samples: Sequence[SessionSample]


def session_chart(db: SqlSession, viewer: Viewer | None, session_id: int) -> SessionChart:
    """One of the viewer's sessions for its chart (the web's chart and samples, the CLI's).

    Raises:
        NotFoundError: no such session, or not the viewer's.
    """
    book = BookService(db, viewer)
    found = book.get_session(session_id)
    zone = charger_zone(book.get_charger(found.charger_id))
    return SessionChart(found, zone, session_samples(db, found))


def session_samples(db: SqlSession, session: BookSession) -> Sequence[SessionSample]:
    """The live samples of a session (its charger's samples in its window if not linked yet:
    the recorder links them when the session is synced)."""
    samples = SampleRepository(db)
    points = samples.list_for_session(session.id)
    if not points and session.started_at is not None and session.ended_at is not None:
        points = samples.list_for_charger(
            session.charger_id, start=session.started_at, end=session.ended_at
        )
    return points
