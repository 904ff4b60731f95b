"""`BookService`: the book as one viewer may see it. THE place where ownership is enforced.

Every read of chargers and sessions for pages and the API goes through here with the request's
`Viewer`: an owner sees only chargers whose `owner_user_id` is theirs (and those chargers'
sessions), an operator sees everything. Something that exists but is not the viewer's is a
`NotFoundError` (404), exactly like something that does not exist, so ids leak nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chargebook.db import ChargerRepository, SessionRepository, SqlSession
from chargebook.db.book.reads import BookReadRepository
from chargebook.db.ere.statements import StatementRepository
from chargebook.domain.access import Viewer
from chargebook.domain.book import SessionSample, SessionState
from chargebook.domain.ere_book import StoredStatement
from chargebook.domain.stored import BookSession, MonthlyEnergy, StoredCharger
from chargebook.errors import NotFoundError
from chargebook.web.cursor import SessionCursor


@dataclass(frozen=True, slots=True)
class SessionPage:
    """One page of sessions, newest first; `next_cursor` is None on the last page."""

    sessions: list[BookSession]
    next_cursor: SessionCursor | None


@dataclass(frozen=True, slots=True)
class ChargerView:
    """A charger with its most recent live sample (None before the recorder saw it)."""

    charger: StoredCharger
    latest: SessionSample | None


class BookService:
    """Chargers, sessions and energy of the book, limited to what `viewer` may see."""

    def __init__(self, session: SqlSession, viewer: Viewer) -> None:
        self._session = session
        self._viewer = viewer
        self._owner = viewer.owner_filter

    # The one ownership rule; everything below calls these two.
    def _visible(self, charger: StoredCharger) -> bool:
        return self._owner is None or charger.owner_user_id == self._owner

    def _visible_charger_ids(self) -> list[int] | None:
        if self._owner is None:
            return None
        return [
            c.id
            for c in ChargerRepository(self._session, _NO_CLOCK).list(owner_user_id=self._owner)
        ]

    def list_chargers(self) -> list[StoredCharger]:
        """The viewer's chargers (all, for an operator), in book-id order."""
        return ChargerRepository(self._session, _NO_CLOCK).list(owner_user_id=self._owner)

    def get_charger(self, charger_id: int) -> StoredCharger:
        """One of the viewer's chargers.

        Raises:
            NotFoundError: no such charger, or not the viewer's.
        """
        try:
            charger = ChargerRepository(self._session, _NO_CLOCK).get(charger_id)
        except NotFoundError:
            charger = None
        if charger is None or not self._visible(charger):
            raise NotFoundError(f"no charger with id {charger_id}")
        return charger

    def charger_view(self, charger_id: int) -> ChargerView:
        """A charger with its latest sample.

        Raises:
            NotFoundError: no such charger, or not the viewer's.
        """
        charger = self.get_charger(charger_id)
        return ChargerView(charger, BookReadRepository(self._session).latest_sample(charger.id))

    def session_page(
        self,
        *,
        cursor: SessionCursor | None = None,
        limit: int = 50,
        charger_id: int | None = None,
        state: SessionState | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> SessionPage:
        """A page of the viewer's sessions, newest first (keyset on started_at, id).

        Raises:
            NotFoundError: `charger_id` is not one of the viewer's chargers.
        """
        charger_ids = [self.get_charger(charger_id).id] if charger_id is not None else None
        if charger_ids is None:
            charger_ids = self._visible_charger_ids()
        rows = BookReadRepository(self._session).session_page(
            charger_ids=charger_ids,
            after=cursor.keyset if cursor else None,
            limit=limit + 1,  # one more tells whether there is a next page
            state=state,
            start=start,
            end=end,
        )
        page, more = rows[:limit], len(rows) > limit
        last = page[-1] if page else None
        next_cursor = (
            SessionCursor(last.started_at, last.id)
            if more and last is not None and last.started_at is not None
            else None
        )
        return SessionPage(page, next_cursor)

    def get_session(self, session_id: int) -> BookSession:
        """One of the viewer's sessions.

        Raises:
            NotFoundError: no such session, or on a charger that is not the viewer's.
        """
        try:
            found = SessionRepository(self._session).get(session_id)
            self.get_charger(found.charger_id)
        except NotFoundError:
            raise NotFoundError(f"no charging session with id {session_id}") from None
        return found

    def energy_by_month(
        self,
        *,
        charger_id: int | None = None,
        time_zone: str = "Europe/Amsterdam",
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[MonthlyEnergy]:
        """kWh and session count per local month of the viewer's ok sessions.

        Raises:
            NotFoundError: `charger_id` is not one of the viewer's chargers.
        """
        if charger_id is not None:
            self.get_charger(charger_id)
        return SessionRepository(self._session).energy_by_month(
            time_zone=time_zone,
            charger_id=charger_id,
            owner_user_id=self._owner,
            start=start,
            end=end,
        )

    def list_statements(self) -> list[StoredStatement]:
        """The viewer's ERE statements (everyone's, for an operator), by period."""
        return StatementRepository(self._session, _NO_CLOCK).list(customer_id=self._owner)

    def get_statement(self, statement_id: int) -> StoredStatement:
        """One of the viewer's statements.

        Raises:
            NotFoundError: no such statement, or not the viewer's.
        """
        found = StatementRepository(self._session, _NO_CLOCK).list(
            statement_id=statement_id, customer_id=self._owner
        )
        if not found:
            raise NotFoundError(f"no statement with id {statement_id}")
        return found[0]


class _NoClock:
    """ChargerRepository wants a clock for writes; the service only reads."""

    def now(self) -> datetime:
        raise RuntimeError("BookService does not write")

    async def sleep(self, seconds: float) -> None:
        raise RuntimeError("BookService does not wait")


_NO_CLOCK = _NoClock()
