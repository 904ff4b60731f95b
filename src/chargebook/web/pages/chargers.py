"""The owner's charger page: live state that updates in place, the controls, ERE status.

The page polls `/chargers/{id}/live` (JSON) every few seconds. Controls post to
`/chargers/{id}/commands/{command}` through the charger's `ChargerControl` adapter: a script
gets JSON back, a plain form post is redirected back to the page (or shown the error). Only the
controls the charger's system supports are shown, with a note for those it lacks.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse, Response

from chargebook.book.service import BookService
from chargebook.domain.book import SessionState
from chargebook.ere.service.metering import OWNER
from chargebook.errors import ChargebookError, NotFoundError
from chargebook.web.commands import (
    MIN_CURRENT_A,
    ChargerCommand,
    check_command,
    controls_view,
    send_command,
)
from chargebook.web.deps import Ctx, PageViewer
from chargebook.web.ere_setup import meter_step
from chargebook.web.errors import InvalidInputError, status_for
from chargebook.web.live import LiveReading
from chargebook.web.metering_form import MeteringForm, form_status, record_from_form
from chargebook.web.page_services import live_status
from chargebook.web.params import RowId
from chargebook.web.plan_summary import owners_plan, summarise
from chargebook.web.price_source import owner_price_source, owner_schedule_of
from chargebook.web.rendering import render

router = APIRouter(prefix="/chargers")

DONE_MESSAGES = {
    ChargerCommand.LOCK: "Locked.",
    ChargerCommand.UNLOCK: "Unlocked.",
    ChargerCommand.PAUSE: "Charging paused.",
    ChargerCommand.RESUME: "Charging resumed.",
    ChargerCommand.CURRENT: "Current limit set.",
    ChargerCommand.RESTART: "The charger is restarting; it is back in about a minute.",
    ChargerCommand.ENERGY_PRICE: "Energy price set.",
}


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


async def _page(
    request: Request,
    context: Ctx,
    viewer: PageViewer,
    charger_id: int,
    *,
    message: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    with context.database.session() as session:
        book = BookService(session, viewer)
        charger = book.get_charger(charger_id)
        ere = meter_step(session, context.clock, charger)
        recent = book.sessions(charger_id=charger.id, state=SessionState.OK, limit=5)
        plan = owners_plan(session, context.clock, viewer, charger)
    reading = await live_status(request).reading(charger)
    now = context.clock.now()
    schedule = owner_schedule_of(context, charger.owner_user_id)
    prices = owner_price_source(context, schedule)
    summary = await summarise(plan, charger, prices, now) if plan else None
    values = {
        "charger": charger,
        "reading": reading,
        "controls": controls_view(context.controls, charger),
        "freshness": reading.freshness(now),
        "plan": summary,
        "ere": ere,
        "recent": recent,
        "min_current_a": MIN_CURRENT_A,
        "max_current_a": reading.max_current_a or charger.charger.max_current_a or 32,
        "message": message,
        "error": error,
        "tariff": schedule.tariff_at(now).describe(),
        "own_charger": charger.owner_user_id == viewer.user.id,
    }
    return render(request, "charger.html", values, status_code=status_code)


@router.get("/{charger_id}")
async def charger_page(
    request: Request, charger_id: RowId, context: Ctx, viewer: PageViewer, done: str | None = None
) -> Response:
    message = None
    if done is not None and done in ChargerCommand.__members__.values():
        message = DONE_MESSAGES[ChargerCommand(done)]
    elif done == "metering":
        message = "MID meter recorded: sessions count for ERE from that date."
    return await _page(request, context, viewer, charger_id, message=message)


@router.get("/{charger_id}/live")
async def live(request: Request, charger_id: RowId, context: Ctx, viewer: PageViewer) -> Response:
    with context.database.session() as session:
        charger = BookService(session, viewer).get_charger(charger_id)
    reading: LiveReading = await live_status(request).reading(charger)
    return JSONResponse(reading.to_json(context.clock.now()), headers={"Cache-Control": "no-store"})


def _decimal(text: str | None) -> Decimal | None:
    if text is None or not text.strip():
        return None
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise InvalidInputError("enter a price like 0.25", field="price_per_kwh") from None
    if not value.is_finite():
        raise InvalidInputError("enter a price like 0.25", field="price_per_kwh")
    return value


def _int(text: str | None) -> int | None:
    if text is None or not text.strip():
        return None
    try:
        return int(text.strip())
    except ValueError:
        raise InvalidInputError("enter whole amperes", field="current_a") from None


@router.post("/{charger_id}/commands/{command}")
async def command(
    request: Request,
    charger_id: RowId,
    command: ChargerCommand,
    context: Ctx,
    viewer: PageViewer,
    current_a: Annotated[str | None, Form(max_length=10)] = None,
    price_per_kwh: Annotated[str | None, Form(max_length=20)] = None,
    confirm: Annotated[str | None, Form(max_length=10)] = None,
) -> Response:
    # A short read: no transaction stays open while the charger answers.
    with context.database.session() as session:
        charger = BookService(session, viewer).get_charger(charger_id)
    try:
        if command is ChargerCommand.RESTART and confirm != "yes":
            raise InvalidInputError("confirm the restart first", field="confirm")
        checked = check_command(
            charger, command, current_a=_int(current_a), price_per_kwh=_decimal(price_per_kwh)
        )
        await send_command(context.controls, charger, checked)
    except ChargebookError as error:
        status = status_for(error)
        if _wants_json(request):
            return JSONResponse({"ok": False, "message": error.message}, status_code=status)
        return await _page(
            request, context, viewer, charger_id, error=error.message, status_code=status
        )
    live = live_status(request)
    live.invalidate(charger.id)
    if _wants_json(request):
        return JSONResponse({"ok": True, "message": DONE_MESSAGES[command]})
    return RedirectResponse(f"/chargers/{charger.id}?done={command.value}", status_code=303)


@router.post("/{charger_id}/metering")
async def record_metering(
    request: Request,
    charger_id: RowId,
    context: Ctx,
    viewer: PageViewer,
    valid_from: Annotated[str, Form(max_length=10)],
    mid_serial: Annotated[str, Form(max_length=100)] = "",
    evidence: Annotated[str, Form(max_length=500)] = "",
    evidence_file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """The owner records since when the charger has a built-in MID meter (an upgrade), with
    evidence; sessions count from that date (`chargebook.ere.service.record_construct`)."""
    with context.database.session() as session:
        charger = BookService(session, viewer).get_charger(charger_id)  # 404: not theirs
    if charger.owner_user_id != viewer.user.id:  # the operator has the console's page
        raise NotFoundError(f"no charger with id {charger_id}")
    form = MeteringForm("integrated_mid", valid_from, mid_serial, "", evidence, evidence_file)
    try:
        if charger.transferred:
            raise InvalidInputError("this charger now belongs to its new owner")
        record_from_form(
            context, charger.id, form, recorded_by=OWNER,
            by=f"{viewer.user.email} on the charger page",
        )  # fmt: skip
    except ChargebookError as error:
        return await _page(
            request, context, viewer, charger_id, error=error.message,
            status_code=form_status(error),
        )  # fmt: skip
    return RedirectResponse(f"/chargers/{charger.id}?done=metering", status_code=303)
