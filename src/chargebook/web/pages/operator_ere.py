"""The operator console's registration work: batches (create, review, finalize, discard,
export), prices per ERE, statements and payouts. Everything goes through `chargebook.ere.service`.

A refused action (nothing to register, a finalized batch, no price) re-renders the page with
the reason and the error's status.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from chargebook.db import SqlSession
from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import DeliveryPeriod
from chargebook.domain.ere_book import PayoutStatus, parse_period
from chargebook.ere import AmountError, FeeRateError, load_parameters, parse_amount, parse_fee_rate
from chargebook.ere.service import (
    create_batch,
    discard_batch,
    finalize_batch,
    generate_statements,
    mark_paid,
    set_price,
)
from chargebook.ere.service.exports import export_batch_zip
from chargebook.ere.service.payout_runs import operator_debtor
from chargebook.ere.service.statements import pending_total
from chargebook.errors import ChargebookError, ConfigurationError
from chargebook.web.context import WebContext
from chargebook.web.deps import Ctx, DbSession, OperatorViewer
from chargebook.web.downloads import download_headers
from chargebook.web.errors import InvalidInputError, status_for
from chargebook.web.params import RowId
from chargebook.web.rendering import render

router = APIRouter(prefix="/operator")


def _period(text: str) -> DeliveryPeriod:
    try:
        return parse_period(text)
    except ValueError as exc:
        raise InvalidInputError(str(exc), field="period") from None


def _see(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def _batches_page(
    request: Request, db: SqlSession, context: WebContext, *, error: str | None = None,
    status_code: int = 200,
) -> Response:  # fmt: skip
    store = EreStore(db, context.clock)
    values = {"batches": store.batches.list(), "error": error}
    return render(request, "operator/batches.html", values, status_code=status_code)


@router.get("/batches")
def batches(request: Request, context: Ctx, viewer: OperatorViewer, db: DbSession) -> Response:
    return _batches_page(request, db, context)


@router.post("/batches")
def new_batch(
    request: Request,
    context: Ctx,
    viewer: OperatorViewer,
    period: Annotated[str, Form(max_length=10)],
) -> Response:
    try:
        chosen = _period(period)
        with context.database.transaction() as session:
            created = create_batch(
                EreStore(session, context.clock),
                chosen,
                parameters=load_parameters(),
                now=context.clock.now(),
            )
    except ChargebookError as error:
        with context.database.session() as session:
            return _batches_page(
                request, session, context, error=error.message, status_code=status_for(error)
            )
    return _see(f"/operator/batches/{created.batch.id}")


@router.get("/batches/{batch_id}")
def batch(
    request: Request, batch_id: RowId, context: Ctx, viewer: OperatorViewer, db: DbSession
) -> Response:
    store = EreStore(db, context.clock)
    values = {"batch": store.batches.get(batch_id), "lines": store.batches.lines(batch_id)}
    return render(request, "operator/batch.html", values)


def _batch_action(request: Request, context: WebContext, batch_id: int, finalize: bool) -> Response:
    try:
        with context.database.transaction() as session:
            store = EreStore(session, context.clock)
            if finalize:
                finalize_batch(store, batch_id)
            else:
                discard_batch(store, batch_id)
    except ChargebookError as error:
        with context.database.session() as session:
            return _batches_page(
                request, session, context, error=error.message, status_code=status_for(error)
            )
    return _see(f"/operator/batches/{batch_id}" if finalize else "/operator/batches")


@router.post("/batches/{batch_id}/finalize")
def finalize(request: Request, batch_id: RowId, context: Ctx, viewer: OperatorViewer) -> Response:
    return _batch_action(request, context, batch_id, finalize=True)


@router.post("/batches/{batch_id}/discard")
def discard(request: Request, batch_id: RowId, context: Ctx, viewer: OperatorViewer) -> Response:
    return _batch_action(request, context, batch_id, finalize=False)


@router.get("/batches/{batch_id}/export.zip")
def export(batch_id: RowId, context: Ctx, viewer: OperatorViewer) -> Response:
    # Its own transaction: the export records that the evidence packs were built (the
    # year-end reads it) and may store a mandate's first-drawn PDF; a GET's session is
    # never committed.
    with context.database.transaction() as session:
        name, data = export_batch_zip(EreStore(session, context.clock), batch_id)
    return Response(
        data,
        media_type="application/zip",
        headers=download_headers(name),
    )


def payouts_page(
    request: Request, db: SqlSession, context: WebContext, *, error: str | None = None,
    status_code: int = 200,
) -> Response:  # fmt: skip
    """The payouts page: prices, statements with where each payout goes, SEPA runs."""
    store = EreStore(db, context.clock)
    statements = store.statements.list()
    prices = sorted(store.statements.prices().items(), key=lambda item: item[0].sort_key)
    try:
        operator_debtor(context.settings)
        sepa_problem = None
    except ConfigurationError as problem:
        sepa_problem = problem.message
    values = {
        "statements": statements,
        "pending_eur": pending_total(statements),
        "prices": prices,
        "error": error,
        "paid": PayoutStatus.PAID,
        "runs": store.payout_runs.list(),
        "sepa_problem": sepa_problem,
    }
    return render(request, "operator/payouts.html", values, status_code=status_code)


@router.get("/payouts")
def payouts(request: Request, context: Ctx, viewer: OperatorViewer, db: DbSession) -> Response:
    return payouts_page(request, db, context)


def _payout_action(request: Request, context: WebContext, action: str, **args: str) -> Response:
    try:
        with context.database.transaction() as session:
            store = EreStore(session, context.clock)
            if action == "price":
                set_price(store, _period(args["period"]), _money(args["price"], "price"))
            elif action == "statements":
                generate_statements(store, _period(args["period"]), fee_rate=_fee(args["fee"]))
            else:
                mark_paid(store, int(args["statement_id"]), args.get("reference") or None)
    except ChargebookError as error:
        with context.database.session() as session:
            return payouts_page(
                request, session, context, error=error.message, status_code=status_for(error)
            )
    return _see("/operator/payouts")


def _money(text: str, field: str) -> Decimal:
    try:
        return parse_amount(text, field)
    except AmountError as exc:
        raise InvalidInputError(str(exc), field=field) from None


def _fee(text: str) -> Decimal:
    try:
        return parse_fee_rate(text)
    except FeeRateError as exc:
        raise InvalidInputError(str(exc), field="fee") from None


@router.post("/prices")
def price(
    request: Request,
    context: Ctx,
    viewer: OperatorViewer,
    period: Annotated[str, Form(max_length=10)],
    price: Annotated[str, Form(max_length=20)],
) -> Response:
    return _payout_action(request, context, "price", period=period, price=price)


@router.post("/statements")
def statements(
    request: Request,
    context: Ctx,
    viewer: OperatorViewer,
    period: Annotated[str, Form(max_length=10)],
    fee: Annotated[str, Form(max_length=10)] = "0.20",
) -> Response:
    return _payout_action(request, context, "statements", period=period, fee=fee)


@router.post("/payouts/{payout_statement_id}/paid")
def paid(
    request: Request,
    payout_statement_id: RowId,
    context: Ctx,
    viewer: OperatorViewer,
    reference: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    return _payout_action(
        request, context, "paid", statement_id=str(payout_statement_id), reference=reference
    )
