"""Repeating weekday plans: the next departure in the charger's zone, and the goal it sets.

Departures are wall-clock times in the plan's zone. On the spring-forward day a time that
does not exist (02:30 in Europe/Amsterdam) is read with the offset before the change, so it
lands an hour later on the clock (03:30 CEST); on the fall-back day an ambiguous time means
its first occurrence (fold=0). Both are what a driver expects of an alarm clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from chargebook.clock import ensure_utc
from chargebook.domain.prices import ChargeGoal
from chargebook.domain.smart import RepeatingPlan


def next_departure(plan: RepeatingPlan, after: datetime) -> datetime:
    """The first departure of `plan` strictly after `after`, in UTC.

    Raises:
        ValueError: `after` is naive.
    """
    after = ensure_utc(after)
    zone = plan.zone
    today = after.astimezone(zone).date()
    for offset in range(8):
        day = today + timedelta(days=offset)
        if day.weekday() not in plan.weekdays:
            continue
        local = datetime.combine(day, plan.departure, tzinfo=zone)
        # Normalise through UTC so a non-existent local time moves forward, not backward.
        moment = local.astimezone(UTC)
        if moment > after:
            return moment
    raise AssertionError("a non-empty weekday set always has a day within 8 days")


def next_plan(
    plans: Iterable[RepeatingPlan], after: datetime
) -> tuple[RepeatingPlan, datetime] | None:
    """The active plan with the earliest next departure after `after`, or None."""
    best: tuple[RepeatingPlan, datetime] | None = None
    for plan in plans:
        if not plan.active:
            continue
        departure = next_departure(plan, after)
        if best is None or departure < best[1]:
            best = (plan, departure)
    return best


def goal_for(
    plan: RepeatingPlan, departure: datetime, *, current_soc_pct: float | None = None
) -> ChargeGoal:
    """The goal for one occurrence of `plan`.

    An energy plan adds `energy_kwh`. A state-of-charge plan needs the car's current SoC;
    chargers rarely report it, so without it the plan assumes an empty battery (the car stops
    drawing when it is full, so the goal is still met; only the cheapest-slot choice is more
    conservative than it needs to be).
    """
    if plan.energy_kwh is not None:
        return ChargeGoal(energy_kwh=plan.energy_kwh, departure=departure)
    assert plan.target_soc_pct is not None
    assert plan.capacity_kwh is not None
    return ChargeGoal.from_soc(
        current_soc_pct=current_soc_pct if current_soc_pct is not None else 0.0,
        target_soc_pct=plan.target_soc_pct,
        capacity_kwh=plan.capacity_kwh,
        departure=departure,
    )


class StaticPlans:
    """A `RepeatingPlanStore` over a fixed list (tests, single-charger setups)."""

    def __init__(self, plans: Sequence[RepeatingPlan]) -> None:
        self._plans = list(plans)

    def repeating_plans(self, charger_id: str) -> list[RepeatingPlan]:
        return list(self._plans)
