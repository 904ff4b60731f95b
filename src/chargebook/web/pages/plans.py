"""The plan editor per charger and the savings history.

- `GET /chargers/{id}/plan`: the editor with the stored plan (or, with query fields from its
  Preview button, the edited one) and its preview: the price chart, the cost, the saving.
- `GET /chargers/{id}/plan/preview.json`: the same preview for the editor's script.
- `POST /chargers/{id}/plan`: save (replaces the charger's plan; the runtime picks it up).
- `POST /chargers/{id}/plan/remove`: smart charging off for this charger.
- `GET /savings`: what smart charging saved per day and month.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.datastructures import FormData, QueryParams

from chargebook.book.service import charger_zone
from chargebook.domain.prices import Strategy
from chargebook.domain.smart import RepeatingPlan
from chargebook.domain.stored import StoredCharger
from chargebook.smart.limits import charger_limits
from chargebook.web.deps import Ctx, PageViewer
from chargebook.web.errors import InvalidInputError
from chargebook.web.params import RowId
from chargebook.web.plan_editor import (
    MIN_BLOCKS,
    build_preview,
    default_plan,
    fields_of,
    own_charger,
    plan_from_fields,
    remove_plans,
    save_plan,
    stored_plan,
    weekday_choices,
)
from chargebook.web.price_source import owner_price_source, owner_schedule_of
from chargebook.web.rendering import render
from chargebook.web.savings import savings_history

router = APIRouter()

STRATEGIES = [
    (Strategy.CHEAPEST.value, "Cheapest quarters", "The cheapest quarters before departure."),
    (Strategy.CONTINUOUS.value, "One block", "One uninterrupted block, the cheapest one."),
    (Strategy.PRICE_CAP.value, "Below a price", "Whenever the all-in price is at or below a cap."),
]
SAVED_MESSAGES = {"saved": "Plan saved. Smart charging follows it from now on.",
                  "removed": "Smart charging is off for this charger."}  # fmt: skip


def _fields(data: FormData | QueryParams) -> dict[str, str]:
    fields = {key: value for key, value in data.items() if isinstance(value, str)}
    days = [value for value in data.getlist("weekday") if isinstance(value, str)]
    if days:
        fields["weekdays"] = ",".join(days)
    return fields


async def _editor(
    request: Request,
    context: Ctx,
    charger: StoredCharger,
    plan: RepeatingPlan,
    *,
    has_plan: bool,
    edited: bool = False,
    form: dict[str, Any] | None = None,
    message: str | None = None,
    error: str | None = None,
    error_field: str | None = None,
    status_code: int = 200,
) -> Response:
    schedule = owner_schedule_of(context, charger.owner_user_id)
    now = context.clock.now()
    preview = await build_preview(plan, charger, owner_price_source(context, schedule), now)
    runtime = context.smart
    values = {
        "charger": charger,
        "form": form or fields_of(plan),
        "preview": preview,
        "preview_json": preview.to_json(),
        "has_plan": has_plan,
        "edited": edited,
        "strategies": STRATEGIES,
        "min_blocks": MIN_BLOCKS,
        "weekdays": weekday_choices(),
        "power_kw": charger_limits(charger).power_kw,
        "events": list(reversed(runtime.events(charger.id)))[:8] if runtime else [],
        "runtime_running": runtime is not None and charger.id in runtime.controllers,
        "message": message,
        "error": error,
        "error_field": error_field,
        "tariff": schedule.tariff_at(now).describe(),
    }
    return render(request, "plan.html", values, status_code=status_code)


@router.get("/chargers/{charger_id}/plan")
async def plan_page(
    request: Request, charger_id: RowId, context: Ctx, viewer: PageViewer, done: str | None = None
) -> Response:
    with context.database.session() as session:
        charger = own_charger(session, viewer, charger_id)
        stored = stored_plan(session, context.clock, charger)
    plan = stored or default_plan(charger_zone(charger))
    query = _fields(request.query_params)
    if "departure" in query:  # the Preview button (or a shared link) with edited fields
        try:
            edited = plan_from_fields(query, charger_zone(charger))
        except InvalidInputError as exc:
            form = {**fields_of(plan), **query, "weekdays": _days(query)}
            return await _editor(
                request, context, charger, plan, has_plan=stored is not None, form=form,
                error=exc.message, error_field=exc.field, status_code=422,
            )  # fmt: skip
        return await _editor(
            request, context, charger, edited, has_plan=stored is not None, edited=True
        )
    return await _editor(
        request, context, charger, plan, has_plan=stored is not None,
        message=SAVED_MESSAGES.get(done or ""),
    )  # fmt: skip


@router.get("/chargers/{charger_id}/plan/preview.json")
async def preview_json(
    request: Request, charger_id: RowId, context: Ctx, viewer: PageViewer
) -> Response:
    with context.database.session() as session:
        charger = own_charger(session, viewer, charger_id)
    try:
        plan = plan_from_fields(_fields(request.query_params), charger_zone(charger))
    except InvalidInputError as exc:
        return JSONResponse(
            {"error": "InvalidInputError", "detail": exc.message, "field": exc.field},
            status_code=422,
        )
    prices = owner_price_source(context, owner_schedule_of(context, charger.owner_user_id))
    preview = await build_preview(plan, charger, prices, context.clock.now())
    return JSONResponse(preview.to_json(), headers={"Cache-Control": "no-store"})


def _days(fields: dict[str, str]) -> list[int]:
    parts = (d.strip() for d in fields.get("weekdays", "").split(","))
    return [int(d) for d in parts if d.isascii() and d.isdigit() and len(d) == 1]


@router.post("/chargers/{charger_id}/plan")
async def save(request: Request, charger_id: RowId, context: Ctx, viewer: PageViewer) -> Response:
    fields = _fields(await request.form())
    fields.setdefault("active", "off")  # an unticked checkbox sends nothing
    with context.database.session() as session:
        charger = own_charger(session, viewer, charger_id)
        stored = stored_plan(session, context.clock, charger)
    try:
        plan = plan_from_fields(fields, charger_zone(charger))
    except InvalidInputError as exc:
        shown = stored or default_plan(charger_zone(charger))
        form = {**fields_of(shown), **fields, "weekdays": _days(fields)}
        form["active"] = fields.get("active") == "on"
        return await _editor(
            request, context, charger, shown, has_plan=stored is not None, form=form,
            error=exc.message, error_field=exc.field, status_code=422,
        )  # fmt: skip
    with context.database.transaction() as session:
        save_plan(session, context.clock, own_charger(session, viewer, charger_id), plan)
    if context.smart is not None:
        context.smart.wake()
    return RedirectResponse(f"/chargers/{charger.id}/plan?done=saved", status_code=303)


@router.post("/chargers/{charger_id}/plan/remove")
async def remove(charger_id: RowId, context: Ctx, viewer: PageViewer) -> Response:
    with context.database.transaction() as session:
        remove_plans(session, context.clock, own_charger(session, viewer, charger_id))
    if context.smart is not None:
        context.smart.wake()
    return RedirectResponse(f"/chargers/{charger_id}/plan?done=removed", status_code=303)


@router.get("/savings")
def savings_page(request: Request, context: Ctx, viewer: PageViewer) -> Response:
    with context.database.session() as session:
        history = savings_history(session, viewer, context.clock)
    return render(request, "savings.html", {"history": history, "chart_json": history.chart_json()})
