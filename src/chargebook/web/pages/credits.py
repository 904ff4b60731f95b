"""Credits: EREs per quarter (pending, eligible, registered, paid), statements to download,
and an estimate of what a year of charging earns. Figures and files come from the ERE
service (`chargebook.ere.service`); this module parses, calls and renders."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from chargebook.db.ere.store import EreStore
from chargebook.ere import load_parameters
from chargebook.ere.service.credits import owner_credits
from chargebook.ere.service.downloads import statement_pdf_bytes
from chargebook.ere.service.estimate import HIGH_PRICE_EUR_PER_ERE, LOW_PRICE_EUR_PER_ERE
from chargebook.ere.service.payout_accounts import payout_account
from chargebook.ere.service.statement_reads import statements_csv_for, viewer_statement
from chargebook.web.deps import Ctx, DbSession, PageViewer
from chargebook.web.downloads import download_headers
from chargebook.web.params import RowId
from chargebook.web.rendering import render

router = APIRouter(prefix="/credits")
SHOWN_QUARTERS = 4
# Where an owner does the fix a held-back reason names (`chargebook.ere.reasons.OwnerReason`):
# the connect wizard's mandate step, or the upgrade / SAP guidance.
FIX_LINKS = {
    "sign_mandate": ("/connect/chargers", "Sign a mandate"),
    "metering": ("/learn#sap", "Upgrade or SAP: how"),
}


@router.get("")
def credits_page(request: Request, context: Ctx, viewer: PageViewer, db: DbSession) -> Response:
    store = EreStore(db, context.clock)
    credits = owner_credits(
        store,
        viewer.user.id,
        parameters=load_parameters(),
        now=context.clock.now(),
        shown_quarters=SHOWN_QUARTERS,
    )
    values = {
        "quarters": credits.quarters,
        "statements": credits.statements,
        "energy_kwh": credits.energy_kwh,
        "estimate": credits.estimate,
        "low_price": LOW_PRICE_EUR_PER_ERE,
        "high_price": HIGH_PRICE_EUR_PER_ERE,
        "totals": credits.totals,
        "payout_account": payout_account(store, viewer.user.id),
        "mandates": store.mandates.list(customer_user_id=viewer.user.id),
        "mandate_estimate": credits.mandate_estimate,
        "fix_links": FIX_LINKS,
    }
    return render(request, "credits.html", values)


@router.get("/statements.csv")
def statements_csv(context: Ctx, viewer: PageViewer, db: DbSession) -> Response:
    # The viewer's own statements, an operator's too: this is their credits page.
    return Response(
        statements_csv_for(EreStore(db, context.clock), viewer.user.id),
        media_type="text/csv; charset=utf-8",
        headers=download_headers("chargebook-statements.csv"),
    )


@router.get("/statements/{statement_id}.pdf")
def statement_pdf(statement_id: RowId, context: Ctx, viewer: PageViewer, db: DbSession) -> Response:
    # A plain route: FastAPI runs it in its thread pool, the PDF drawing included.
    store = EreStore(db, context.clock)
    statement = viewer_statement(store, statement_id, viewer.owner_filter)  # 404 unless theirs
    name = f"chargebook-statement-{statement.period.label}-{statement.sequence}.pdf"
    return Response(
        statement_pdf_bytes(store, statement),
        media_type="application/pdf",
        headers=download_headers(name),
    )
