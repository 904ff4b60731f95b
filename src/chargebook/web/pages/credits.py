"""Credits: EREs per quarter (pending, eligible, registered, paid), statements to download,
and an estimate of what a year of charging earns."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from chargebook.db import SessionRepository
from chargebook.db.ere.store import EreStore
from chargebook.domain.book import SessionState
from chargebook.ere import load_parameters
from chargebook.ere_book.sql_path import invalid_mandates, sql_path_applies
from chargebook.ere_book.statement_pdf import StatementParty, render_statement_pdf
from chargebook.ere_book.statements import write_statements_csv
from chargebook.web.book import BookService
from chargebook.web.credits import (
    HIGH_PRICE_EUR_PER_ERE,
    LOW_PRICE_EUR_PER_ERE,
    last_year_window,
    page_quarters,
    recent_quarters,
    yearly_estimate,
)
from chargebook.web.deps import Ctx, DbSession, PageViewer
from chargebook.web.downloads import download_headers
from chargebook.web.rendering import render

router = APIRouter(prefix="/credits")
SHOWN_QUARTERS = 4


@router.get("")
def credits_page(request: Request, context: Ctx, viewer: PageViewer, db: DbSession) -> Response:
    now = context.clock.now()
    parameters = load_parameters()
    book = BookService(db, viewer)
    statements = book.list_statements()
    store = EreStore(db, context.clock)
    in_sql = sql_path_applies(store)
    # The mandates once per page, not once per quarter, and only the owner's.
    invalid = invalid_mandates(store, viewer.user.id) if in_sql else None
    quarters = page_quarters(
        store,
        viewer.user.id,
        recent_quarters(now, SHOWN_QUARTERS),
        statements,
        parameters=parameters,
        now=now,
        in_sql=in_sql,
        invalid_mandate_ids=invalid,
    )
    start, end = last_year_window(now)
    energy = (
        SessionRepository(db)
        .totals(owner_user_id=viewer.user.id, start=start, end=end, state=SessionState.OK)
        .energy_kwh
    )
    values = {
        "quarters": quarters,
        "statements": [s for s in statements if s.customer_id == str(viewer.user.id)],
        "energy_kwh": energy,
        "estimate": yearly_estimate(energy, year=now.year, parameters=parameters),
        "low_price": LOW_PRICE_EUR_PER_ERE,
        "high_price": HIGH_PRICE_EUR_PER_ERE,
        "totals": {
            name: sum((getattr(q, name) for q in quarters), Decimal(0))
            for name in ("pending_ere", "eligible_ere", "registered_ere", "paid_ere", "paid_eur")
        },
    }
    return render(request, "credits.html", values)


@router.get("/statements.csv")
def statements_csv(context: Ctx, viewer: PageViewer, db: DbSession) -> Response:
    mine = [s for s in BookService(db, viewer).list_statements()
            if s.customer_id == str(viewer.user.id)]  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="chargebook-statements-") as folder:
        text = write_statements_csv(mine, Path(folder) / "statements.csv").read_text("utf-8")
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers=download_headers("chargebook-statements.csv"),
    )


@router.get("/statements/{statement_id}.pdf")
async def statement_pdf(
    statement_id: int, context: Ctx, viewer: PageViewer, db: DbSession
) -> Response:
    statement = BookService(db, viewer).get_statement(statement_id)
    connections = EreStore(db, context.clock).connections.list(
        customer_id=int(statement.customer_id)
    )
    chosen = next((c for c in connections if c.connection.ean in statement.eans), None)
    party = StatementParty("chargebook", chosen.connection if chosen else None)

    def draw() -> bytes:
        with tempfile.TemporaryDirectory(prefix="chargebook-statement-") as folder:
            return render_statement_pdf(statement, party, Path(folder) / "s.pdf").read_bytes()

    name = f"chargebook-statement-{statement.period.label}-{statement.sequence}.pdf"
    return Response(
        await run_in_threadpool(draw),
        media_type="application/pdf",
        headers=download_headers(name),
    )
