"""The charger page's "Smart charging" card: the owner's plan at a glance.

Goal, next departure and the next quarter the plan charges in, from the same preview the
plan editor shows (`plan_editor.build_preview`), so the two pages never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chargebook.clock import Clock
from chargebook.db import SqlSession
from chargebook.domain.access import Viewer
from chargebook.domain.prices import PlannedSlot, PriceSource
from chargebook.domain.smart import RepeatingPlan
from chargebook.domain.stored import StoredCharger
from chargebook.web.plan_editor import build_preview, stored_plan


@dataclass(frozen=True, slots=True)
class PlanSummary:
    """What the charger page says about the owner's plan."""

    active: bool
    goal: str  # "20 kWh" or "80 % of 60 kWh"
    departure: datetime  # the next departure (UTC-aware)
    next_slot: PlannedSlot | None  # the next (or current) run of quarters the plan charges in
    goal_message: str | None  # why the goal cannot be met, or None


def owners_plan(
    session: SqlSession, clock: Clock, viewer: Viewer, charger: StoredCharger
) -> RepeatingPlan | None:
    """The charger's plan when the viewer owns it (nobody else sees it), else None."""
    if charger.owner_user_id != viewer.user.id or charger.transferred:
        return None
    return stored_plan(session, clock, charger)


def _goal(plan: RepeatingPlan) -> str:
    if plan.target_soc_pct is not None:
        return f"{plan.target_soc_pct:g} % of {plan.capacity_kwh or 0:g} kWh"
    return f"{plan.energy_kwh or 0:g} kWh"


def _next_run(slots: list[PlannedSlot]) -> PlannedSlot | None:
    """The first run of back-to-back quarters as one slot: "01:00–03:15", not "01:00–01:15"."""
    if not slots:
        return None
    run = slots[0]
    for slot in slots[1:]:
        if slot.start != run.end:
            break
        run = PlannedSlot(
            run.start, slot.end, max(run.power_kw, slot.power_kw),
            run.energy_kwh + slot.energy_kwh, None,
        )  # fmt: skip
    return run


async def summarise(
    plan: RepeatingPlan, charger: StoredCharger, prices: PriceSource, now: datetime
) -> PlanSummary:
    """The card's figures for `plan`'s next departure after `now`."""
    preview = await build_preview(plan, charger, prices, now)
    upcoming = [slot for slot in preview.preview.plan.slots if slot.end > now]
    return PlanSummary(
        active=plan.active,
        goal=_goal(plan),
        departure=preview.departure,
        next_slot=_next_run(upcoming) if plan.active else None,
        goal_message=preview.goal_message,
    )
