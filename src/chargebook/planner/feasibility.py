"""Can a goal be met at all? The one answer every door gives for an impossible goal.

`goal_feasibility` says how much energy the charger can put in by departure at full power
(the same per-quarter capacity the planner uses) and, when that is short of the goal, the
earliest time the goal can be met charging from now. `explain` words it for people.
Pure: `now` is a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from chargebook.clock import ensure_utc
from chargebook.domain.prices import ChargeGoal, ChargerLimits, PriceBasis
from chargebook.planner.core import EPS_KWH
from chargebook.planner.grid import build_grid


@dataclass(frozen=True, slots=True)
class Feasibility:
    """Whether `goal_kwh` fits before `departure` at `power_kw`, and what is possible if not."""

    goal_kwh: float
    departure: datetime
    power_kw: float
    reachable_kwh: float  # the most energy full power delivers between now and departure
    earliest_finish: datetime  # the earliest time the goal is met, charging from now

    @property
    def feasible(self) -> bool:
        return self.reachable_kwh >= self.goal_kwh - EPS_KWH


def goal_feasibility(goal: ChargeGoal, limits: ChargerLimits, *, now: datetime) -> Feasibility:
    """How much of `goal` the charger can deliver by departure, and the earliest finish.

    Raises:
        ValueError: a naive `now`.
    """
    now = ensure_utc(now)
    grid = build_grid(now, goal.departure, None, PriceBasis.ALL_IN)
    power = limits.power_kw
    reachable = float((grid.hours * power).sum()) if grid.size else 0.0
    # Round the finish up to the minute: "by 11:27" must not promise seconds that are not there.
    finish = now + timedelta(hours=goal.energy_kwh / power)
    if finish.second or finish.microsecond:
        finish = finish.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return Feasibility(goal.energy_kwh, goal.departure, power, round(reachable, 3), finish)


def explain(feasibility: Feasibility, time_zone: str) -> str | None:
    """The sentence for an impossible goal (None when it can be met), in the charger's zone."""
    if feasibility.feasible:
        return None
    zone = ZoneInfo(time_zone)
    departure = feasibility.departure.astimezone(zone)
    finish = feasibility.earliest_finish.astimezone(zone)
    day = "" if finish.date() == departure.date() else f"{finish:%a} "
    return (
        f"{feasibility.goal_kwh:.1f} kWh cannot be charged by {departure:%a %H:%M}: at "
        f"{feasibility.power_kw:.1f} kW the charger adds at most "
        f"{feasibility.reachable_kwh:.1f} kWh by then. Lower the goal to "
        f"{feasibility.reachable_kwh:.1f} kWh, or leave at {day}{finish:%H:%M} or later."
    )
