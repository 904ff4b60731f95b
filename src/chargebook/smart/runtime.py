"""Runtime rules: turn a plan into "charge now or not" without flapping (after evcc's
`plannerActive`, core/loadpoint_plan.go).

- An active run that has less than `small_slot` (~14 min) left is ignored unless charging
  already runs: a short burst costs a write and wears the contactor for little energy.
- A running slot is finished when the plan moves away from it while the goal is not met.
- Charging does not stop when the next planned start is less than `small_slot` away.
- Past departure with the goal not met, charging continues (the caller warns: plan overrun).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chargebook.domain.prices import ChargePlan, PlannedSlot, PlanStatus

SMALL_SLOT = timedelta(minutes=14)
_JOIN = timedelta(seconds=1)  # slots closer than this are one run


@dataclass(frozen=True, slots=True)
class Run:
    """Consecutive planned slots `[start, end)`."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Decision:
    """Charge or not; `power_kw` is the planned power of the slot at now (None: full power).

    `run_end` is the end of the run being charged, so a re-plan cannot cut it short.
    """

    charge: bool
    reason: str
    power_kw: float | None = None
    run_end: datetime | None = None


def runs(slots: tuple[PlannedSlot, ...]) -> list[Run]:
    """The plan's slots merged into runs of back-to-back charging."""
    merged: list[Run] = []
    for slot in slots:
        if merged and slot.start - merged[-1].end <= _JOIN:
            merged[-1] = Run(merged[-1].start, max(merged[-1].end, slot.end))
        else:
            merged.append(Run(slot.start, slot.end))
    return merged


def decide(
    plan: ChargePlan,
    now: datetime,
    *,
    charging: bool,
    running_until: datetime | None,
    small_slot: timedelta = SMALL_SLOT,
) -> Decision:
    """Whether to charge at `now` under `plan` (made for the energy still missing).

    Args:
        plan: the current plan; its goal holds the remaining energy and the departure.
        now: UTC-aware.
        charging: whether the charger is charging under this controller right now.
        running_until: end of the run charging was started for (None when not charging).
        small_slot: shortest run worth starting, and the gap not worth stopping for.
    """
    if plan.goal.energy_kwh <= 1e-6:
        return Decision(False, "goal reached")
    if now >= plan.goal.departure:
        return Decision(True, "departure passed, goal not met: keep charging")
    slot_now = next((s for s in plan.slots if s.start <= now < s.end), None)
    plan_runs = runs(plan.slots)
    active = next((r for r in plan_runs if r.start <= now < r.end), None)
    if active is not None and slot_now is not None:
        urgent = plan.status is PlanStatus.NOT_ENOUGH_TIME
        if not charging and not urgent and active.end - now < small_slot:
            return Decision(False, f"skip a run of less than {_minutes(small_slot)} min")
        return Decision(True, "planned slot", slot_now.power_kw, active.end)
    if charging and running_until is not None and now < running_until:
        return Decision(True, "finish the running slot", None, running_until)
    upcoming = [r for r in plan_runs if r.start > now]
    if charging and upcoming and upcoming[0].start - now < small_slot:
        return Decision(True, "next slot starts soon", None, upcoming[0].end)
    return Decision(False, "outside the planned slots")


def next_change(plan: ChargePlan, now: datetime) -> datetime | None:
    """The next slot boundary after `now` (when the decision may change), or departure."""
    moments = [m for s in plan.slots for m in (s.start, s.end) if m > now]
    if plan.goal.departure > now:
        moments.append(plan.goal.departure)
    return min(moments) if moments else None


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)
