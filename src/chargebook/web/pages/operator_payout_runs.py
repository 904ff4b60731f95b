"""The operator's SEPA payout runs: build a pain.001 file for the pending payouts (of a
period or all), download it again, mark the run paid with the bank's reference, or cancel it.
Everything goes through `chargebook.ere.service.payout_runs`; a refusal re-renders the payouts
page with the reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere_book import parse_period
from chargebook.ere.service.payout_runs import (
    build_sepa_run,
    cancel_run,
    mark_run_paid,
    operator_debtor,
    sepa_run_file,
)
from chargebook.errors import ChargebookError, ConfigurationError
from chargebook.web.context import WebContext
from chargebook.web.deps import Ctx, DbSession, OperatorViewer
from chargebook.web.downloads import download_headers
from chargebook.web.errors import InvalidInputError, status_for
from chargebook.web.pages.operator_ere import payouts_page
from chargebook.web.params import RowId

router = APIRouter(prefix="/operator/payouts")


def _act(request: Request, context: WebContext, action: Callable[[EreStore], object]) -> Response:
    try:
        with context.database.transaction() as session:
            action(EreStore(session, context.clock))
    except ChargebookError as error:
        # A missing operator account is the operator's to fix, not a server failure.
        status = 409 if isinstance(error, ConfigurationError) else status_for(error)
        with context.database.session() as session:
            return payouts_page(request, session, context, error=error.message, status_code=status)
    return RedirectResponse("/operator/payouts#runs", status_code=303)


@router.post("/sepa")
def build_run(
    request: Request,
    context: Ctx,
    viewer: OperatorViewer,
    period: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    def build(store: EreStore) -> object:
        try:
            chosen = parse_period(period.strip()) if period.strip() else None
        except ValueError as exc:
            raise InvalidInputError(str(exc), field="period") from None
        debtor = operator_debtor(context.settings)
        return build_sepa_run(store, context.box, debtor, actor=viewer.user.email, period=chosen)

    return _act(request, context, build)


@router.get("/runs/{run_id}.xml")
def run_file(run_id: RowId, context: Ctx, viewer: OperatorViewer, db: DbSession) -> Response:
    name, data = sepa_run_file(EreStore(db, context.clock), context.box, run_id)
    return Response(data, media_type="application/xml", headers=download_headers(name))


@router.post("/runs/{run_id}/paid")
def run_paid(
    request: Request,
    run_id: RowId,
    context: Ctx,
    viewer: OperatorViewer,
    reference: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    return _act(
        request,
        context,
        lambda store: mark_run_paid(
            store, run_id, reference.strip() or None, actor=viewer.user.email
        ),
    )


@router.post("/runs/{run_id}/cancel")
def run_cancel(request: Request, run_id: RowId, context: Ctx, viewer: OperatorViewer) -> Response:
    return _act(request, context, lambda store: cancel_run(store, run_id, actor=viewer.user.email))
