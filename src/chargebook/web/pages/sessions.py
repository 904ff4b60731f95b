"""Sessions: the filtered list with totals, CSV and XLSX export, one session with its chart
(interactive from the samples JSON; a server-drawn PNG as the fallback)."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from chargebook.book.costs import session_cost
from chargebook.book.eres import held_back_text, session_eres
from chargebook.book.exports import sessions_csv, sessions_xlsx
from chargebook.book.service import BookService
from chargebook.book.sessions import SessionFilter, list_sessions, session_chart, session_samples
from chargebook.charts import render_session_chart
from chargebook.web.cursor import decode_cursor
from chargebook.web.deps import Ctx, DbSession, PageViewer
from chargebook.web.downloads import download_headers
from chargebook.web.errors import InvalidInputError
from chargebook.web.params import RowId, parse_day, parse_row_id
from chargebook.web.rendering import render

router = APIRouter(prefix="/sessions")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


@router.get("")
def sessions_page(
    request: Request,
    viewer: PageViewer,
    db: DbSession,
    start: str | None = None,
    end: str | None = None,
    charger: str | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    chargers = BookService(db, viewer).list_chargers()
    try:
        chosen = parse_filter(start, end, charger)
        after = decode_cursor(cursor) if cursor else None
    except InvalidInputError as error:
        values: dict[str, object] = {
            "chargers": chargers,
            "error": error.message,
            "listed": None,
            "chosen": None,
        }
        return render(request, "sessions.html", values, status_code=422)
    listed = list_sessions(db, viewer, chosen, cursor=after)
    values = {"chargers": chargers, "listed": listed, "chosen": chosen, "error": None}
    return render(request, "sessions.html", values)


@router.get("/export.csv")
def export_csv(
    viewer: PageViewer,
    db: DbSession,
    context: Ctx,
    start: str | None = None,
    end: str | None = None,
    charger: str | None = None,
) -> Response:
    listed = list_sessions(db, viewer, parse_filter(start, end, charger), limit=None)
    return Response(
        sessions_csv(listed, session_eres(db, context.clock, listed.sessions)),
        media_type="text/csv; charset=utf-8",
        headers=download_headers("chargebook-sessions.csv"),
    )


@router.get("/export.xlsx")
def export_xlsx(
    viewer: PageViewer,
    db: DbSession,
    context: Ctx,
    start: str | None = None,
    end: str | None = None,
    charger: str | None = None,
) -> Response:
    listed = list_sessions(db, viewer, parse_filter(start, end, charger), limit=None)
    return Response(
        sessions_xlsx(listed, session_eres(db, context.clock, listed.sessions)),
        media_type=XLSX_TYPE,
        headers=download_headers("chargebook-sessions.xlsx"),
    )


@router.get("/{session_id}")
def session_page(
    request: Request, session_id: RowId, viewer: PageViewer, db: DbSession, context: Ctx
) -> Response:
    book = BookService(db, viewer)
    found = book.get_session(session_id)
    charger = book.get_charger(found.charger_id)
    samples = session_samples(db, found)
    peak = max((s.power_kw for s in samples), default=None)
    average_kw = None
    if found.duration_s and found.energy_kwh is not None:
        average_kw = found.energy_kwh / Decimal(found.duration_s) * 3600
    ere = session_eres(db, context.clock, [found]).get(found.id)
    values = {
        "tariff_cost": session_cost(db, context.settings, charger, found, samples),
        "session": found,
        "charger": charger,
        "sample_count": len(samples),
        "peak_kw": peak,
        "average_kw": average_kw,
        "ere": ere,
        "ere_reason": held_back_text(ere, found),
    }
    return render(request, "session.html", values)


@router.get("/{session_id}/samples.json")
def session_samples_json(session_id: RowId, viewer: PageViewer, db: DbSession) -> Response:
    chart = session_chart(db, viewer, session_id)
    found, samples = chart.session, chart.samples
    return JSONResponse(
        {
            "session_id": found.id,
            "time_zone": chart.time_zone,
            "started_at": found.started_at.isoformat() if found.started_at else None,
            "ended_at": found.ended_at.isoformat() if found.ended_at else None,
            "energy_kwh": float(found.energy_kwh) if found.energy_kwh is not None else None,
            "samples": [
                {
                    "t": int(s.observed_at.timestamp() * 1000),
                    "power_kw": round(s.power_kw, 3),
                    "energy_kwh": round(s.energy_kwh, 3),
                }
                for s in samples
            ],
        },
        headers={"Cache-Control": "no-store"},
    )


@router.get("/{session_id}/chart.png")
async def session_chart_png(session_id: RowId, viewer: PageViewer, db: DbSession) -> Response:
    chart = session_chart(db, viewer, session_id)

    def draw() -> bytes:
        with tempfile.TemporaryDirectory(prefix="chargebook-chart-") as folder:
            path = render_session_chart(
                chart.samples, chart.session, Path(folder) / "chart.png", time_zone=chart.time_zone
            )
            return path.read_bytes()

    # matplotlib is CPU-bound: keep it off the event loop.
    image = await run_in_threadpool(draw)
    return Response(image, media_type="image/png", headers={"Cache-Control": "no-store"})
