"""Sessions as the pages show and export them: a filter (local dates, charger), the viewer's
sessions in it with their charger's name, totals, CSV and XLSX files, chart data.

Ownership goes through `BookService` (the charger filter) and `Viewer.owner_filter` (the list).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from chargebook.clock import Clock, in_zone
from chargebook.db import SampleRepository, SessionRepository, SqlSession
from chargebook.db.ere.store import EreStore
from chargebook.domain.access import Viewer
from chargebook.domain.book import SessionSample, SessionState
from chargebook.domain.stored import BookSession
from chargebook.ere import load_parameters
from chargebook.ere.reasons import owner_reason
from chargebook.ere.service.session_eres import SessionEre
from chargebook.ere.service.session_eres import session_eres as ere_per_session
from chargebook.spreadsheet_cells import SafeCsvWriter, append_row
from chargebook.web.book import BookService
from chargebook.web.cursor import SessionCursor
from chargebook.web.errors import InvalidInputError
from chargebook.web.filters import DISPLAY_ZONE
from chargebook.web.params import parse_day, parse_row_id

# Sessions per page of the list (older ones page by keyset: `SessionList.next_cursor`).
PAGE_SIZE = 100
EXPORT_COLUMNS = (
    "session_id",
    "charger",
    "started_local",
    "ended_local",
    "duration_min",
    "energy_kwh",
    "mid_energy_kwh",
    "discharged_kwh",
    "cost",
    "currency",
    "ere",  # registered EREs, or the estimate for an eligible session (`ere_status` says)
    "ere_status",  # registered | estimate | the reason code it is held back for
)


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
        return datetime.combine(self.start, time(0), tzinfo=DISPLAY_ZONE)

    @property
    def end_utc(self) -> datetime | None:
        """The exclusive end: local midnight after the last day."""
        if self.end is None:
            return None
        return datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=DISPLAY_ZONE)

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


def parse_filter(start: str | None, end: str | None, charger: str | None) -> SessionFilter:
    """The filter from query parameters (empty = no limit).

    Raises:
        InvalidInputError: a date is not YYYY-MM-DD or outside the window of `params`, the
            end is before the start, or the charger is not an id.
    """

    first, last = parse_day(start, "start"), parse_day(end, "end")
    if first and last and last < first:
        raise InvalidInputError("the end date is before the start date", field="end")
    return SessionFilter(first, last, parse_row_id(charger, "charger"))


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
    viewer: Viewer,
    chosen: SessionFilter,
    *,
    limit: int | None = PAGE_SIZE,
    cursor: SessionCursor | None = None,
) -> SessionList:
    """The viewer's ok sessions in the filter, newest first (a page of `limit` after `cursor`,
    or all when `limit` is None), with totals over all of them (summed in SQL).

    Raises:
        NotFoundError: the charger is not the viewer's.
    """
    book = BookService(db, viewer)
    if chosen.charger_id is not None:
        book.get_charger(chosen.charger_id)
    names = {c.id: c.charger.name for c in book.list_chargers()}
    sessions = SessionRepository(db)
    owner, start, end = viewer.owner_filter, chosen.start_utc, chosen.end_utc
    # The totals are summed in the database: a long history is thousands of sessions, and
    # the page shows only the newest `limit` of them.
    totals = sessions.totals(
        charger_id=chosen.charger_id, owner_user_id=owner, start=start, end=end,
        state=SessionState.OK,
    )  # fmt: skip
    if limit is None:
        shown = sessions.list(
            charger_id=chosen.charger_id, owner_user_id=owner, start=start, end=end,
            state=SessionState.OK,
        )  # fmt: skip
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


def session_eres(
    db: SqlSession, clock: Clock, sessions: Sequence[BookSession]
) -> dict[int, SessionEre]:
    """EREs per session from the ERE service (`ere.service.session_eres`: bulk reads)."""
    return ere_per_session(
        EreStore(db, clock), sessions, parameters=load_parameters(), now=clock.now()
    )


def held_back_text(ere: SessionEre | None, session: BookSession) -> str | None:
    """Why a held-back session earns nothing and the fix ("a session without a mandate for
    2026: no mandate for 2026 — sign one", the texts of `chargebook.ere.reasons`)."""
    if ere is None or ere.reason is None or session.ended_at is None:
        return None
    local = in_zone(session.ended_at, DISPLAY_ZONE)
    why, fix, _ = owner_reason(ere.reason, (local or session.ended_at).year)
    return f"a session {why}: {fix}"


def _row(session: BookSession, names: dict[int, str], eres: dict[int, SessionEre]) -> list[object]:
    ere = eres.get(session.id)

    def local(moment: datetime | None) -> datetime | None:
        local_moment = in_zone(moment, DISPLAY_ZONE) if moment else None
        return local_moment.replace(tzinfo=None) if local_moment else None

    return [
        session.id,
        names.get(session.charger_id, str(session.charger_id)),
        local(session.started_at),
        local(session.ended_at),
        round(session.duration_s / 60, 1) if session.duration_s is not None else None,
        session.energy_kwh,
        session.mid_energy_kwh,
        session.discharged_energy_kwh,
        session.cost,
        session.currency,
        ere.ere if ere is not None else None,
        ere.label if ere is not None else None,
    ]


def sessions_csv(listed: SessionList, eres: dict[int, SessionEre]) -> str:
    """The sessions as CSV (local times ISO 8601, kWh with a dot)."""
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(EXPORT_COLUMNS)
    for session in listed.sessions:
        values = _row(session, listed.charger_names, eres)
        writer.writerow(
            "" if v is None else (v.isoformat(timespec="seconds") if isinstance(v, datetime) else v)
            for v in values
        )
    return out.getvalue()


def sessions_xlsx(listed: SessionList, eres: dict[int, SessionEre]) -> bytes:
    """The sessions as an Excel workbook (real dates and numbers, a totals row)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sessions"
    append_row(sheet, EXPORT_COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for session in listed.sessions:
        values = _row(session, listed.charger_names, eres)
        append_row(sheet, [float(v) if isinstance(v, Decimal) else v for v in values])
    for column in ("C", "D"):
        for cell in sheet[column][1:]:
            cell.number_format = "yyyy-mm-dd hh:mm"
        sheet.column_dimensions[column].width = 18
    sheet.column_dimensions["B"].width = 22
    sheet.append([])
    # The totals line up under their columns: duration, kWh and (when any session has one)
    # the cost, in the currency of the sessions when they share one.
    currencies = {session.currency for session in listed.sessions if session.cost is not None}
    mixed = len(currencies) > 1  # euros and crowns do not add up
    total_cost = float(listed.cost) if listed.cost is not None and not mixed else None
    append_row(sheet, ["total", f"{listed.count} sessions", None, None,
                       round(listed.duration_s / 60, 1), float(listed.energy_kwh), None, None,
                       total_cost, currencies.pop() if len(currencies) == 1 else None])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def session_samples(db: SqlSession, session: BookSession) -> Sequence[SessionSample]:
    """The live samples of a session (its charger's samples in its window if not linked)."""
    samples = SampleRepository(db)
    points = samples.list_for_session(session.id)
    if not points and session.started_at is not None and session.ended_at is not None:
        points = samples.list_for_charger(
            session.charger_id, start=session.started_at, end=session.ended_at
        )
    return points
