"""The connect wizard: 1 choose the charger kind, 2 sign in to myWallbox (checked live),
3 pick the charger, 4 confirm the MID meter (and ERE data), 5 done, history backfilling.

OCPP chargers: register a charge point id, show its URL and secret once.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from chargebook.book.service import BookService
from chargebook.db import SqlSession
from chargebook.domain.access import Viewer
from chargebook.domain.book import SessionState
from chargebook.domain.charge_point_id import RULE as CHARGE_POINT_ID_RULE
from chargebook.domain.models import ChargerSource
from chargebook.domain.ownership import ALREADY_CONNECTED_HINT as HELD_HINT
from chargebook.ere import MeteringVerdict
from chargebook.ere.mandate_text import form_paragraphs
from chargebook.ere.service.mandate_document import OPERATOR_NAME
from chargebook.errors import ConflictError
from chargebook.ocpp_registration import OPEN_ACCESS_RISK, ocpp_address
from chargebook.web.brand_onboarding import offered_brands, owned_brand_account
from chargebook.web.context import WebContext
from chargebook.web.deps import Ctx, CurrentUser, DbSession, PageViewer
from chargebook.web.ere_setup import (
    EreForm,
    RenewForm,
    attach,
    detect,
    join_ere,
    meter_step,
    renew,
    request_follow_up,
    signing_estimate,
)
from chargebook.web.errors import InvalidInputError
from chargebook.web.onboarding import (
    SSO_EXPLANATION,
    ConnectFailure,
    connect_wallbox,
    load_chargers,
    owned_account,
    register_ocpp,
)
from chargebook.web.page_services import backfills
from chargebook.web.params import OptionalRowIdQuery, RowId
from chargebook.web.rendering import render

router = APIRouter(prefix="/connect")


def _see(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


@router.get("")
def start(request: Request, context: Ctx, viewer: PageViewer) -> Response:
    return render(request, "connect/start.html", {"step": 1, "brands": offered_brands(context)})


@router.get("/wallbox")
def wallbox_form(request: Request, viewer: PageViewer) -> Response:
    return render(request, "connect/wallbox.html", {"step": 2, "sso_help": SSO_EXPLANATION})


@router.post("/wallbox")
async def wallbox_connect(
    request: Request,
    context: Ctx,
    user: CurrentUser,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    values = {"step": 2, "email": email, "sso_help": SSO_EXPLANATION}
    try:
        account = await connect_wallbox(context, user, email=email, password=password)
        loaded = await load_chargers(context, account)
    except InvalidInputError as error:
        return render(
            request, "connect/wallbox.html", {**values, "error": error.message}, status_code=422
        )
    except ConnectFailure as failure:
        values |= {"error": failure.message, "hint": failure.hint, "problem": failure.problem}
        page = render(request, "connect/wallbox.html", values, status_code=failure.status)
        if failure.status == 429:
            page.headers["Retry-After"] = "60"
        return page
    # The backfill reuses the chargers just read: a new owner's sync waits for no extra read.
    backfills(request).start(account, [stored.charger for stored in loaded.owned])
    if loaded.held_by_others:
        # Said on the page at once: the redirect below would silently show fewer chargers.
        values = {"step": 3, "chargers": loaded.owned, "held_by_others": loaded.held_by_others}
        return render(request, "connect/chargers.html", values | {"held_hint": HELD_HINT})
    if len(loaded.owned) == 1:
        with context.database.transaction() as session:
            detect(session, context.clock, loaded.owned[0])
        return _see(f"/connect/{loaded.owned[0].id}/meter")
    return _see(f"/connect/chargers?account={account.id}")


@router.get("/chargers")
def choose_charger(
    request: Request,
    context: Ctx,
    viewer: PageViewer,
    db: DbSession,
    account: OptionalRowIdQuery = None,
    brand_account: OptionalRowIdQuery = None,
) -> Response:
    chargers = BookService(db, viewer).list_chargers()
    if account is not None:
        owned_account(context, viewer, account)
        chargers = [c for c in chargers if c.account_id == account and not c.transferred]
    if brand_account is not None:  # issue 19: by its key (`domain.account_keys`)
        key = owned_brand_account(context, viewer, brand_account).key
        chargers = [c for c in chargers if c.account_id == key and not c.transferred]
    return render(request, "connect/chargers.html", {"step": 3, "chargers": chargers})


@router.post("/{charger_id}/select")
def select_charger(charger_id: RowId, context: Ctx, viewer: PageViewer, db: DbSession) -> Response:
    charger = BookService(db, viewer).get_charger(charger_id)
    detect(db, context.clock, charger)
    return _see(f"/connect/{charger.id}/meter")


def _meter_page(
    request: Request,
    context: WebContext,
    viewer: Viewer,
    db: SqlSession,
    charger_id: int,
    **extra: object,
) -> Response:
    charger = BookService(db, viewer).get_charger(charger_id)
    step = meter_step(db, context.clock, charger)
    year = context.clock.now().year
    values = {
        "step": 4,
        "charger": charger,
        "meter": step,
        "verdict": step.assessment.verdict.value,
        "verdict_label": step.assessment.verdict.label,
        "qualifying": step.assessment.verdict is MeteringVerdict.QUALIFYING,
        "years": list(range(year, year + 6)),
        "this_year": year,
        # The words the document of the signed mandate repeats (`ere.mandate_text`).
        "mandate_text": form_paragraphs(OPERATOR_NAME, year),
        "today": context.clock.now().date().isoformat(),
        "form": {},
        "estimate": signing_estimate(db, context.clock, charger),  # before signing
        **extra,
    }
    status = 422 if "error" in extra else 200
    return render(request, "connect/meter.html", values, status_code=status)


@router.get("/{charger_id}/meter")
def meter(
    request: Request, charger_id: RowId, context: Ctx, viewer: PageViewer, db: DbSession
) -> Response:
    return _meter_page(request, context, viewer, db, charger_id)


@router.post("/{charger_id}/followup")
def follow_up(
    charger_id: RowId,
    context: Ctx,
    viewer: PageViewer,
    db: DbSession,
    kind: Annotated[str, Form(max_length=40)],
) -> Response:
    charger = BookService(db, viewer).get_charger(charger_id)
    request_follow_up(db, context.clock, charger, kind)
    return _see(f"/connect/{charger.id}/done?requested={kind}")


@router.post("/{charger_id}/ere")
async def ere(request: Request, charger_id: RowId, context: Ctx, viewer: PageViewer) -> Response:
    # Its own transactions, not DbSession: a refused form must roll back what was flushed and
    # still render the page (SQLite allows one writer, so no request transaction around it).
    raw = await request.form()
    fields = {key: value for key, value in raw.items() if isinstance(value, str)}
    try:
        last_year = int(fields.get("last_year") or context.clock.now().year)
    except ValueError:
        last_year = 0
    form = EreForm(
        ean=fields.get("ean", ""),
        connected_party_name=fields.get("connected_party_name", ""),
        street=fields.get("street", ""),
        house_number=fields.get("house_number", ""),
        postal_code=fields.get("postal_code", ""),
        city=fields.get("city", ""),
        signed_by_name=fields.get("signed_by_name", ""),
        signed_on=fields.get("signed_on", ""),
        last_year=last_year,
        consent_grid_operator_data=fields.get("consent_grid_operator_data") == "on",
        consent_verifier_visit=fields.get("consent_verifier_visit") == "on",
    )
    with context.database.session() as session:
        charger = BookService(session, viewer).get_charger(charger_id)
    try:
        with context.database.transaction() as session:
            _, problems = join_ere(session, context.clock, charger, form)
    except InvalidInputError as error:
        with context.database.session() as session:
            return _meter_page(
                request, context, viewer, session, charger_id,
                error=error.message, error_field=error.field, form=fields,
            )  # fmt: skip
    suffix = "?mandate=incomplete" if problems else "?mandate=ok"
    return _see(f"/connect/{charger.id}/done{suffix}")


async def _refused(
    request: Request, context: WebContext, viewer: Viewer, charger_id: int, error: InvalidInputError
) -> Response:
    """The meter page again with the reason (its own session: the refused write rolled back)."""
    fields = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    with context.database.session() as session:
        return _meter_page(
            request, context, viewer, session, charger_id,
            error=error.message, error_field=error.field, form=fields,
        )  # fmt: skip


@router.post("/{charger_id}/ere/attach")
async def ere_attach(
    request: Request,
    charger_id: RowId,
    context: Ctx,
    viewer: PageViewer,
    connection_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """One step for a further charger behind a connection of the owner: no form again, the
    connection's mandate (per EAN and year) covers it."""
    # The charger first: another owner's charger is 404 whatever the form says.
    with context.database.session() as session:
        charger = BookService(session, viewer).get_charger(charger_id)
    try:
        with context.database.transaction() as session:
            attach(session, context.clock, charger, connection_id)
    except InvalidInputError as error:
        return await _refused(request, context, viewer, charger_id, error)
    return _see(f"/connect/{charger.id}/done?mandate=attached")


@router.post("/{charger_id}/ere/renew")
async def ere_renew(
    request: Request,
    charger_id: RowId,
    context: Ctx,
    viewer: PageViewer,
    signed_by_name: Annotated[str, Form(max_length=200)] = "",
    signed_on: Annotated[str, Form(max_length=20)] = "",
    last_year: Annotated[int, Form(ge=2000, le=2099)] = 2000,
    consent_grid_operator_data: Annotated[str, Form(max_length=10)] = "",
    consent_verifier_visit: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Sign the next year's mandate explicitly: a mandate ends at its year's end and is
    never renewed by itself."""
    form = RenewForm(
        signed_by_name=signed_by_name,
        signed_on=signed_on,
        last_year=last_year,
        consent_grid_operator_data=consent_grid_operator_data == "on",
        consent_verifier_visit=consent_verifier_visit == "on",
    )
    with context.database.session() as session:
        charger = BookService(session, viewer).get_charger(charger_id)
    try:
        with context.database.transaction() as session:
            _, problems = renew(session, context.clock, charger, form)
    except InvalidInputError as error:
        return await _refused(request, context, viewer, charger_id, error)
    suffix = "?mandate=incomplete" if problems else "?mandate=renewed"
    return _see(f"/connect/{charger.id}/done{suffix}")


def _progress_values(
    request: Request, context: WebContext, viewer: Viewer, db: SqlSession, charger_id: int
) -> dict[str, object]:
    book = BookService(db, viewer)
    charger = book.get_charger(charger_id)
    status = backfills(request).status(charger.account_id) if charger.account_id else None
    sessions = book.count_sessions(charger_id=charger.id, state=SessionState.OK)
    return {
        "charger": charger,
        "backfill": status,
        "backfill_message": status.message(context.clock.now()) if status else None,
        "sessions": sessions,
        "ocpp": charger.charger.source is ChargerSource.OCPP,
    }


@router.get("/{charger_id}/done")
def done(
    request: Request,
    charger_id: RowId,
    context: Ctx,
    viewer: PageViewer,
    db: DbSession,
    requested: str | None = None,
    mandate: str | None = None,
) -> Response:
    values = _progress_values(request, context, viewer, db, charger_id)
    values |= {"step": 5, "requested": requested, "mandate": mandate}
    return render(request, "connect/done.html", values)


@router.get("/{charger_id}/progress")
def progress(
    request: Request, charger_id: RowId, context: Ctx, viewer: PageViewer, db: DbSession
) -> Response:
    values = _progress_values(request, context, viewer, db, charger_id)
    return render(request, "connect/progress.html", values)


@router.get("/ocpp")
def ocpp_form(request: Request, context: Ctx, viewer: PageViewer) -> Response:
    return render(request, "connect/ocpp.html", _ocpp_values(request, context))


@router.post("/ocpp")
def ocpp_register(
    request: Request,
    context: Ctx,
    user: CurrentUser,
    charge_point_id: Annotated[str, Form(max_length=100)] = "",
    allow_empty_password: Annotated[bool, Form()] = False,
) -> Response:
    address = ocpp_address(context.settings, request.url.hostname)
    try:
        registration = register_ocpp(
            context, user, charge_point_id, address, allow_empty_password=allow_empty_password
        )
    except (InvalidInputError, ConflictError) as error:
        status = 409 if isinstance(error, ConflictError) else 422
        values = _ocpp_values(request, context) | {
            "error": error.message,
            "charge_point_id": charge_point_id,
            "allow_empty_password": allow_empty_password,
        }
        return render(request, "connect/ocpp.html", values, status_code=status)
    values = _ocpp_values(request, context) | {"step": 5, "registration": registration}
    return render(request, "connect/ocpp_done.html", values)


def _ocpp_values(request: Request, context: WebContext) -> dict[str, object]:
    address = ocpp_address(context.settings, request.url.hostname)
    return {
        "step": 2,
        "ocpp_address": address,
        "ocpp_url_base": address.base,
        "ocpp_port": context.settings.ocpp_port,
        "empty_password_risk": OPEN_ACCESS_RISK,
        "charge_point_id_rule": CHARGE_POINT_ID_RULE,
    }
