"""`/api/v1/chargers/{id}/plan`: a charger's smart-charging plan and its preview.

Only the charger's owner may read or change its plan (an operator too only for their own
chargers); anyone else gets 404. Reading and previewing need `chargers:read`, saving
`chargers:write`.
"""

from __future__ import annotations

from datetime import time
from typing import Annotated

from fastapi import APIRouter, Depends

from chargebook.book.service import charger_zone
from chargebook.domain.access import ApiScope, Viewer
from chargebook.domain.smart import RepeatingPlan
from chargebook.domain.stored import StoredCharger
from chargebook.web.deps import Ctx, DbSession, require_scope
from chargebook.web.errors import InvalidInputError
from chargebook.web.params import RowId
from chargebook.web.plan_editor import (
    build_preview,
    own_charger,
    save_plan,
    stored_plan,
)
from chargebook.web.plan_schemas import ChargerPlanOut, PlanIn, PlanOut, PlanPreviewOut
from chargebook.web.price_source import owner_price_source, owner_schedule_of

router = APIRouter(prefix="/chargers", tags=["smart charging"])

Reader = Annotated[Viewer, Depends(require_scope(ApiScope.CHARGERS_READ))]
Writer = Annotated[Viewer, Depends(require_scope(ApiScope.CHARGERS_WRITE))]


def _plan(body: PlanIn, charger: StoredCharger) -> RepeatingPlan:
    try:
        return RepeatingPlan(
            weekdays=frozenset(body.weekdays),
            departure=time.fromisoformat(body.departure),
            time_zone=charger_zone(charger),
            energy_kwh=body.energy_kwh,
            target_soc_pct=body.target_soc_pct,
            capacity_kwh=body.capacity_kwh if body.target_soc_pct is not None else None,
            active=body.active,
            strategy=body.strategy,
            price_cap_eur_per_kwh=body.price_cap_eur_per_kwh,
            min_block_minutes=body.min_block_minutes,
        )
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from None


@router.get("/{charger_id}/plan")
def get_plan(charger_id: RowId, viewer: Reader, context: Ctx, db: DbSession) -> ChargerPlanOut:
    """The charger's repeating plan (null while smart charging is off)."""
    charger = own_charger(db, viewer, charger_id)
    plan = stored_plan(db, context.clock, charger)
    return ChargerPlanOut(charger_id=charger.id, plan=PlanOut.of(plan) if plan else None)


@router.put("/{charger_id}/plan")
async def put_plan(charger_id: RowId, body: PlanIn, viewer: Writer, context: Ctx) -> ChargerPlanOut:
    """Replace the charger's plan; the smart-charging controller follows it from now on."""
    with context.database.transaction() as session:
        charger = own_charger(session, viewer, charger_id)
        saved = save_plan(session, context.clock, charger, _plan(body, charger))
    if context.smart is not None:
        context.smart.wake()
    return ChargerPlanOut(charger_id=charger.id, plan=PlanOut.of(saved))


@router.post("/{charger_id}/plan/preview")
async def preview_plan(
    charger_id: RowId, body: PlanIn, viewer: Reader, context: Ctx
) -> PlanPreviewOut:
    """What the plan would do for its next departure: the chosen 15-minute slots with their
    market and all-in prices (at the owner's tariff, `/api/v1/me/tariff`), the cost, and the
    saving against charging at once. Nothing is stored. `prices_complete` false means no
    prices for tomorrow yet."""
    with context.database.session() as session:
        charger = own_charger(session, viewer, charger_id)
    prices = owner_price_source(context, owner_schedule_of(context, charger.owner_user_id))
    preview = await build_preview(_plan(body, charger), charger, prices, context.clock.now())
    return PlanPreviewOut.model_validate(preview.to_json())
