"""`BookService`: the book as one viewer may see it. THE place where ownership is enforced.

Every read of chargers and sessions, by every door (web pages, the API, the CLI, the demo),
goes through here with the viewer: an owner sees only chargers whose `owner_user_id` is theirs
(and those chargers' sessions), an operator sees everything, and so does a viewer of None, the
operator at the command line who holds the book's database. Something that exists but is not
the viewer's is a `NotFoundError` (404 on the web), exactly like something that does not exist,
so ids leak nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from chargebook.book.cursor import SessionCursor
from chargebook.db import ChargerRepository, SessionRepository, SqlSession
from chargebook.db.book.reads import BookReadRepository
from chargebook.domain.access import Viewer
from chargebook.domain.book import SessionSample, SessionState
from chargebook.domain.stored import BookSession, MonthlyEnergy, SessionTotals, StoredCharger
from chargebook.errors import NotFoundError

# The zone the book shows local times, days and months in, on every door.
BOOK_ZONE = ZoneInfo("Europe/Amsterdam")


def charger_zone(charger: StoredCharger) -> str:
    """The zone a charger's times, days and plans are in: its own, else the book's."""
    return charger.charger.time_zone or BOOK_ZONE.key


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

    def __init__(self, session: SqlSession, viewer: Viewer | None) -> None:
        """`viewer` None: the whole book (the operator who holds the database: the CLI)."""
        self._session = session
        self._owner = viewer.owner_filter if viewer is not None else None

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

    def _check_charger(self, charger_id: int | None) -> None:
        """Refuse a charger that is not the viewer's (NotFoundError); None means all of them."""
        if charger_id is not None:
            self.get_charger(charger_id)

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
        time_zone: str = BOOK_ZONE.key,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[MonthlyEnergy]:
        """kWh and session count per local month of the viewer's ok sessions.

        Raises:
            NotFoundError: `charger_id` is not one of the viewer's chargers.
        """
        self._check_charger(charger_id)
        return SessionRepository(self._session).energy_by_month(
            time_zone=time_zone,
            charger_id=charger_id,
            owner_user_id=self._owner,
            start=start,
            end=end,
        )

    def session_totals(
        self,
        *,
        charger_id: int | None = None,
        state: SessionState | None = SessionState.OK,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> SessionTotals:
        """Count, kWh, seconds and cost of the viewer's sessions (`state` None: every state),
        summed in the database: the one answer to "how much" for every door.

        Raises:
            NotFoundError: `charger_id` is not one of the viewer's chargers.
        """
        self._check_charger(charger_id)
        return SessionRepository(self._session).totals(
            charger_id=charger_id, owner_user_id=self._owner, start=start, end=end, state=state
        )

    def sessions(
        self,
        *,
        state: SessionState | None,
        limit: int | None = None,
        charger_id: int | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[BookSession]:
        """The viewer's sessions of `state` (None: every state) that started in [start, end),
        newest first: the newest `limit`, or all for an export. Unlike the keyset pages of
        `session_page` this includes sessions whose record had no start time (quarantined
        ones may not).

        Raises:
            NotFoundError: `charger_id` is not one of the viewer's chargers.
        """
        self._check_charger(charger_id)
        return SessionRepository(self._session).list(
            charger_id=charger_id, owner_user_id=self._owner, start=start, end=end, state=state,
            limit=limit,
        )  # fmt: skip

    def count_sessions(
        self, *, state: SessionState | None = None, charger_id: int | None = None
    ) -> int:
        """How many of the viewer's sessions are in `state` (None: every state); cheaper than
        `session_totals` where only the number is wanted.

        Raises:
            NotFoundError: `charger_id` is not one of the viewer's chargers.
        """
        self._check_charger(charger_id)
        return SessionRepository(self._session).count(
            charger_id=charger_id, owner_user_id=self._owner, state=state
        )


class _NoClock:
    """ChargerRepository wants a clock for writes; the service only reads."""

    def now(self) -> datetime:
        raise RuntimeError("BookService does not write")

    async def sleep(self, seconds: float) -> None:
        raise RuntimeError("BookService does not wait")


_NO_CLOCK = _NoClock()
