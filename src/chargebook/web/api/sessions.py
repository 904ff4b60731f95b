"""`/api/v1/sessions` (cursor pagination) and `/api/v1/energy/monthly`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import available_timezones

from fastapi import APIRouter, Depends, Query

from chargebook.book.costs import session_cost
from chargebook.book.service import BOOK_ZONE, BookService
from chargebook.domain.access import ApiScope, Viewer
from chargebook.domain.book import SessionState
from chargebook.web.cursor import decode_cursor
from chargebook.web.deps import Ctx, DbSession, require_scope
from chargebook.web.errors import InvalidInputError
from chargebook.web.params import OptionalRowIdQuery, RowId, check_moment
from chargebook.web.schemas import MonthlyEnergyOut, SessionOut, SessionPageOut

router = APIRouter(tags=["sessions"])

Reader = Annotated[Viewer, Depends(require_scope(ApiScope.SESSIONS_READ))]
MAX_PAGE = 500


@router.get("/sessions")
def list_sessions(
    viewer: Reader,
    db: DbSession,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    charger_id: OptionalRowIdQuery = None,
    state: SessionState | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> SessionPageOut:
    """The caller's sessions, newest first. Pages are stable while new sessions arrive: pass
    `next_cursor` back as `cursor`. Sessions whose record could not be parsed (no start time)
    are not listed here."""
    page = BookService(db, viewer).session_page(
        cursor=decode_cursor(cursor) if cursor else None,
        limit=limit,
        charger_id=charger_id,
        state=state,
        start=check_moment(start, "start"),
        end=check_moment(end, "end"),
    )
    return SessionPageOut(
        items=[SessionOut.of(session) for session in page.sessions],
        next_cursor=page.next_cursor.encode() if page.next_cursor else None,
    )


@router.get("/sessions/{session_id}")
def get_session(session_id: RowId, viewer: Reader, db: DbSession, context: Ctx) -> SessionOut:
    """One session, with its cost at the owner's tariff; 404 if it is not on one of the
    caller's chargers."""
    book = BookService(db, viewer)
    found = book.get_session(session_id)
    cost = session_cost(db, context.settings, book.get_charger(found.charger_id), found)
    out = SessionOut.of(found)
    if cost is not None:
        out.tariff_cost_eur, out.tariff_cost_complete = cost.cost_eur, cost.complete
    return out


@router.get("/energy/monthly")
def energy_by_month(
    viewer: Reader,
    db: DbSession,
    charger_id: OptionalRowIdQuery = None,
    time_zone: Annotated[str, Query(max_length=64)] = BOOK_ZONE.key,
) -> list[MonthlyEnergyOut]:
    """kWh and number of ok sessions per calendar month of `time_zone`, oldest first."""
    if time_zone not in _ZONES:
        raise InvalidInputError(f"unknown time zone {time_zone!r}", field="time_zone")
    months = BookService(db, viewer).energy_by_month(charger_id=charger_id, time_zone=time_zone)
    return [MonthlyEnergyOut.of(month) for month in months]


_ZONES = frozenset(available_timezones())
