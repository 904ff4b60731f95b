"""The operator console's metering page per charger: the construct history with the starts the
rules apply and their evidence, the recording of a date with evidence (an upgrade, a SAP: a
reference and/or the installer's invoice or a photo, uploaded), and whether the connection's
customer is private or business. Everything goes through `chargebook.ere.service`
(`record_construct`, `set_customer_kind`), as the CLI does.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from chargebook.db import SqlSession
from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import CustomerKind, MeteringKind
from chargebook.ere.periods import DUTCH_ZONE
from chargebook.ere.service import assess_charger, metering_history, set_customer_kind
from chargebook.ere.service.metering import OPERATOR
from chargebook.errors import ChargebookError
from chargebook.web.context import WebContext
from chargebook.web.deps import Ctx, DbSession, OperatorViewer
from chargebook.web.errors import InvalidInputError
from chargebook.web.metering_form import MeteringForm, form_status, record_from_form
from chargebook.web.params import RowId
from chargebook.web.rendering import render

router = APIRouter(prefix="/operator")
# `metered_charger_id`, not `charger_id`: an operator's page about any charger, not an owner's
# object (owners get 403 here, as on every operator page).


def _page(
    request: Request, db: SqlSession, context: WebContext, charger_id: int, *,
    error: str | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    store = EreStore(db, context.clock)
    charger = store.chargers.get(charger_id)
    connection = next((c for c in store.connections.list() if charger_id in c.charger_ids), None)
    values = {
        "charger": charger,
        "assessment": assess_charger(store, charger),
        "history": metering_history(store, charger_id),
        "connection": connection,
        "kinds": [k for k in MeteringKind],
        "customer_kinds": [k for k in CustomerKind],
        "today": context.clock.now().astimezone(DUTCH_ZONE).date().isoformat(),
        "error": error,
    }
    return render(request, "operator/metering.html", values, status_code=status_code)


@router.get("/chargers/{metered_charger_id}/metering")
def metering(
    request: Request, metered_charger_id: RowId, context: Ctx, viewer: OperatorViewer,
    db: DbSession,
) -> Response:  # fmt: skip
    return _page(request, db, context, metered_charger_id)


@router.post("/chargers/{metered_charger_id}/metering")
def record(
    request: Request,
    metered_charger_id: RowId,
    context: Ctx,
    viewer: OperatorViewer,
    kind: Annotated[str, Form(max_length=30)],
    valid_from: Annotated[str, Form(max_length=10)],
    mid_serial: Annotated[str, Form(max_length=100)] = "",
    sap_ean: Annotated[str, Form(max_length=30)] = "",
    evidence: Annotated[str, Form(max_length=500)] = "",
    evidence_file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    form = MeteringForm(kind, valid_from, mid_serial, sap_ean, evidence, evidence_file)
    try:
        by = f"{viewer.user.email} in the operator console"
        record_from_form(context, metered_charger_id, form, recorded_by=OPERATOR, by=by)
    except ChargebookError as error:
        with context.database.session() as session:
            return _page(
                request, session, context, metered_charger_id, error=error.message,
                status_code=form_status(error),
            )  # fmt: skip
    return RedirectResponse(f"/operator/chargers/{metered_charger_id}/metering", status_code=303)


@router.post("/chargers/{metered_charger_id}/customer-kind")
def customer_kind(
    metered_charger_id: RowId,
    context: Ctx,
    viewer: OperatorViewer,
    db: DbSession,
    ean: Annotated[str, Form(max_length=30)],
    kind: Annotated[str, Form(max_length=10)],
) -> Response:
    try:
        chosen = CustomerKind(kind)
    except ValueError:
        raise InvalidInputError("choose private or business", field="kind") from None
    set_customer_kind(EreStore(db, context.clock), ean=ean, kind=chosen)
    return RedirectResponse(f"/operator/chargers/{metered_charger_id}/metering", status_code=303)
