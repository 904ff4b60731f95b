"""Plan charging before departure at the lowest price (pure; see README.md for the cases).

`plan_charging` turns a goal, the charger's limits and a price curve into a `ChargePlan`;
`charge_now` is the reference "plug in and charge at full power"; `preview_plan` puts both
side by side with the saving. No I/O, no clock reads: `now` is a parameter.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import numpy as np

from chargebook.domain.prices import (
    SLOT,
    ChargeGoal,
    ChargePlan,
    ChargerLimits,
    PlannedSlot,
    PlanOptions,
    PlanPreview,
    PlanStatus,
    PriceCurve,
    Strategy,
)
from chargebook.planner.blocks import allocate_min_block
from chargebook.planner.core import (
    EPS_KWH,
    FloatArray,
    allocate_below_cap,
    allocate_cheapest,
    allocate_continuous,
    allocate_latest,
    allocate_now,
)
from chargebook.planner.grid import SlotGrid, build_grid

_CENT_FRACTION = Decimal("0.0001")


def _strategy_energy(
    grid: SlotGrid, cap: FloatArray, energy: float, limits: ChargerLimits, options: PlanOptions
) -> tuple[FloatArray, bool]:
    """Energy per slot for the chosen strategy; the flag says a strict cap left energy out."""
    prices = grid.prices
    if options.strategy is Strategy.CONTINUOUS:
        return allocate_continuous(prices, cap, energy), False
    if options.strategy is Strategy.PRICE_CAP and options.price_cap_eur_per_kwh is not None:
        cheap = allocate_below_cap(prices, cap, energy, float(options.price_cap_eur_per_kwh))
        left = energy - float(cheap.sum())
        if left <= EPS_KWH or options.strict_cap:
            return cheap, left > EPS_KWH
        return cheap + allocate_cheapest(prices, cap - cheap, left), False
    min_slots = int(np.ceil(options.min_block / SLOT)) if options.min_block > timedelta(0) else 1
    if min_slots > 1:
        min_kwh = np.minimum(limits.min_power_kw * grid.hours, cap)
        return allocate_min_block(prices, cap, min_kwh, energy, min_slots), False
    return allocate_cheapest(prices, cap, energy), False


def _tail_start(grid: SlotGrid, goal: ChargeGoal, tail: timedelta) -> int:
    """Index of the first slot of the late-charging tail (grid.size if there is none)."""
    if tail <= timedelta(0):
        return grid.size
    boundary = goal.departure - tail
    for i, end in enumerate(grid.ends):
        if end > boundary:
            return i
    return grid.size


def plan_charging(
    goal: ChargeGoal,
    limits: ChargerLimits,
    curve: PriceCurve | None,
    *,
    now: datetime,
    options: PlanOptions | None = None,
) -> ChargePlan:
    """The plan that meets `goal` at the lowest cost under `options`.

    Args:
        goal: energy in kWh by a departure time (UTC-aware).
        limits: the charger's maximum and minimum power (from current, phases and voltage).
        curve: prices; None or empty means "no prices": finish just in time.
        now: the current time (UTC-aware); a partial first quarter is handled.
        options: strategy, price basis, price cap, late-charging tail, minimum block length.

    Returns:
        A `ChargePlan`; `status` and `shortfall_kwh` say when the goal cannot be met.

    Raises:
        ValueError: naive datetimes.
    """
    options = options or PlanOptions()
    grid = build_grid(now, goal.departure, curve, options.price_basis)
    cap = limits.power_kw * grid.hours
    energy = goal.energy_kwh
    strict_short = False
    if energy <= EPS_KWH:
        status, alloc = PlanStatus.NOTHING_TO_DO, np.zeros(grid.size)
    elif float(cap.sum()) < energy - EPS_KWH:
        status, alloc = PlanStatus.NOT_ENOUGH_TIME, cap.copy()
    elif grid.known_prices == 0:
        status, alloc = PlanStatus.NO_PRICES, allocate_latest(cap, energy)
    else:
        status = (
            PlanStatus.OPTIMISED if grid.known_prices == grid.size else (PlanStatus.PARTIAL_PRICES)
        )
        t0 = _tail_start(grid, goal, options.late_tail)
        alloc = np.zeros(grid.size)
        alloc[t0:] = allocate_latest(cap[t0:], energy)
        rest = energy - float(alloc.sum())
        if rest > EPS_KWH:
            head = SlotGrid(
                grid.starts[:t0],
                grid.ends[:t0],
                grid.hours[:t0],
                grid.prices[:t0],
                grid.exact_prices[:t0],
            )
            alloc[:t0], strict_short = _strategy_energy(head, cap[:t0], rest, limits, options)
        if strict_short:
            status = PlanStatus.CAP_TOO_LOW
    return _render(goal, options.strategy, status, grid, alloc, limits, curve)


def charge_now(
    goal: ChargeGoal,
    limits: ChargerLimits,
    curve: PriceCurve | None,
    *,
    now: datetime,
    options: PlanOptions | None = None,
) -> ChargePlan:
    """The reference plan: full power from `now` until the energy is in or departure comes."""
    options = options or PlanOptions()
    grid = build_grid(now, goal.departure, curve, options.price_basis)
    cap = limits.power_kw * grid.hours
    short = float(cap.sum()) < goal.energy_kwh - EPS_KWH
    status = PlanStatus.NOT_ENOUGH_TIME if short else PlanStatus.OPTIMISED
    if goal.energy_kwh <= EPS_KWH:
        status = PlanStatus.NOTHING_TO_DO
    alloc = allocate_now(cap, goal.energy_kwh)
    return _render(goal, options.strategy, status, grid, alloc, limits, curve)


def preview_plan(
    goal: ChargeGoal,
    limits: ChargerLimits,
    curve: PriceCurve | None,
    *,
    now: datetime,
    options: PlanOptions | None = None,
) -> PlanPreview:
    """The plan, the charge-now plan and the saving in EUR (charge-now cost − plan cost)."""
    plan = plan_charging(goal, limits, curve, now=now, options=options)
    now_plan = charge_now(goal, limits, curve, now=now, options=options)
    notes: list[str] = []
    if not (plan.cost_complete and now_plan.cost_complete):
        notes.append("some quarters have no price yet: costs cover the known quarters only")
    if plan.shortfall_kwh > EPS_KWH:
        notes.append(f"the goal cannot be met: {plan.shortfall_kwh:.2f} kWh short at departure")
    if curve is not None and not curve.complete and curve.known_until is not None:
        notes.append(f"prices known until {curve.known_until.isoformat()}")
    return PlanPreview(plan, now_plan, now_plan.cost_eur - plan.cost_eur, tuple(notes))


def _render(
    goal: ChargeGoal,
    strategy: Strategy,
    status: PlanStatus,
    grid: SlotGrid,
    alloc: FloatArray,
    limits: ChargerLimits,
    curve: PriceCurve | None,
) -> ChargePlan:
    slots: list[PlannedSlot] = []
    cost = Decimal(0)
    complete = True
    charged = alloc > EPS_KWH
    for i in np.flatnonzero(charged):
        start, end, hours, energy = grid.starts[i], grid.ends[i], grid.hours[i], float(alloc[i])
        power = energy / hours
        if power < limits.min_power_kw - 1e-9:
            # Below the minimum current the charger cannot run all quarter: run at minimum
            # power for part of it, next to the neighbour that charges (else as late as possible).
            power = limits.min_power_kw
            run = timedelta(hours=energy / power)
            follows = i + 1 < grid.size and charged[i + 1]
            precedes = i > 0 and charged[i - 1]
            if precedes and not follows:
                end = start + run
            else:
                start = end - run
        price = grid.exact_prices[i]
        if price is None:
            complete = False
        else:
            cost += Decimal(f"{energy:.6f}") * price
        slots.append(PlannedSlot(start, end, round(power, 6), round(energy, 6), price))
    planned = float(alloc.sum())
    return ChargePlan(
        goal=goal,
        strategy=strategy,
        status=status,
        slots=tuple(slots),
        energy_kwh=round(planned, 6),
        shortfall_kwh=round(max(0.0, goal.energy_kwh - planned), 6),
        cost_eur=cost.quantize(_CENT_FRACTION),
        cost_complete=complete,
        prices_known_until=curve.known_until if curve is not None else None,
    )
