"""Planner cases as a table (evcc style): synthetic quarters of 1 kWh at full power."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from chargebook.domain.prices import (
    SLOT,
    ChargeGoal,
    ChargePlan,
    ChargerLimits,
    PlanOptions,
    PlanStatus,
    PriceCurve,
    PriceSlot,
    Strategy,
    build_curve,
)
from chargebook.planner import charge_now, plan_charging, preview_plan

NOW = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
# 4 kW for a quarter = 1 kWh per slot; 1 phase × 6 A × 230 V = 1.38 kW minimum.
LIMITS = ChargerLimits(max_current_a=16, min_current_a=6, phases=1, voltage_v=230, max_power_kw=4)


def curve_of(prices: list[float | None], start: datetime = NOW) -> PriceCurve:
    """A curve with one slot per known price; None ends the known prices there."""
    slots = []
    for i, p in enumerate(prices):
        if p is None:
            break
        slots.append(PriceSlot(start + i * SLOT, Decimal(str(p)), Decimal(str(p))))
    return build_curve("test", start, start + len(prices) * SLOT, slots)


def energy_by_slot(plan: ChargePlan, start: datetime = NOW) -> dict[int, float]:
    out: dict[int, float] = {}
    for s in plan.slots:
        i = int((s.start - start) / SLOT)
        out[i] = round(out.get(i, 0.0) + s.energy_kwh, 6)
    return out


@dataclass
class Case:
    prices: list[float | None]
    energy_kwh: float
    expected: dict[int, float]
    status: PlanStatus = PlanStatus.OPTIMISED
    options: PlanOptions = field(default_factory=PlanOptions)
    shortfall_kwh: float = 0.0


CASES = {
    "cheapest-picks-lowest-prices": Case([5, 1, 3, 2, 4, 6], 2, {1: 1, 3: 1}),
    "ties-go-to-the-later-slot": Case([1, 1, 1, 1], 2, {2: 1, 3: 1}),
    "partial-slot-gets-the-remainder": Case([3, 1, 2, 4], 1.5, {1: 1, 2: 0.5}),
    "negative-prices-are-cheapest": Case([0.2, -0.1, 0.3, -0.05], 2, {1: 1, 3: 1}),
    "continuous-takes-cheapest-window": Case(
        [1, 9, 1, 2, 2, 5], 2, {2: 1, 3: 1}, options=PlanOptions(strategy=Strategy.CONTINUOUS)
    ),
    "continuous-trims-the-dearer-edge": Case(
        [9, 3, 1, 1, 2, 9],
        2.5,
        {2: 1, 3: 1, 4: 0.5},
        options=PlanOptions(strategy=Strategy.CONTINUOUS),
    ),
    "continuous-ties-go-later": Case(
        [1, 1, 1, 1], 2, {2: 1, 3: 1}, options=PlanOptions(strategy=Strategy.CONTINUOUS)
    ),
    "price-cap-charges-whenever-cheap-in-time-order": Case(
        [3, 1, 2, 1, 5],
        2,
        {1: 1, 2: 1},
        options=PlanOptions(strategy=Strategy.PRICE_CAP, price_cap_eur_per_kwh=Decimal(2)),
    ),
    "price-cap-fills-the-rest-cheapest": Case(
        [3, 1, 5, 4],
        2,
        {0: 1, 1: 1},
        options=PlanOptions(strategy=Strategy.PRICE_CAP, price_cap_eur_per_kwh=Decimal(1)),
    ),
    "strict-price-cap-says-cap-too-low": Case(
        [3, 1, 5, 4],
        2,
        {1: 1},
        status=PlanStatus.CAP_TOO_LOW,
        options=PlanOptions(
            strategy=Strategy.PRICE_CAP, price_cap_eur_per_kwh=Decimal(1), strict_cap=True
        ),
        shortfall_kwh=1,
    ),
    "no-prices-finishes-just-in-time": Case(
        [None, None, None, None, None], 2.5, {2: 0.5, 3: 1, 4: 1}, status=PlanStatus.NO_PRICES
    ),
    "unknown-prices-are-used-last-and-late": Case(
        [2, 1, None, None, None], 3, {0: 1, 1: 1, 4: 1}, status=PlanStatus.PARTIAL_PRICES
    ),
    "too-little-time-charges-now-with-shortfall": Case(
        [5, 1, 3, 2],
        6,
        {0: 1, 1: 1, 2: 1, 3: 1},
        status=PlanStatus.NOT_ENOUGH_TIME,
        shortfall_kwh=2,
    ),
    "late-tail-always-charges-before-departure": Case(
        [1, 1, 5, 5, 9, 9],
        3,
        {1: 1, 4: 1, 5: 1},
        options=PlanOptions(late_tail=timedelta(minutes=30)),
    ),
    "late-tail-longer-than-needed-charges-as-late-as-possible": Case(
        [1, 1, 5, 5, 9, 9],
        1.5,
        {4: 0.5, 5: 1},
        options=PlanOptions(late_tail=timedelta(minutes=45)),
    ),
    "min-block-avoids-isolated-quarters": Case(
        [1, 9, 9, 2, 2, 9], 2, {3: 1, 4: 1}, options=PlanOptions(min_block=timedelta(minutes=30))
    ),
    "goal-already-met": Case([1, 2], 0, {}, status=PlanStatus.NOTHING_TO_DO),
}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_plan_cases(case: Case) -> None:
    goal = ChargeGoal(energy_kwh=case.energy_kwh, departure=NOW + len(case.prices) * SLOT)
    plan = plan_charging(goal, LIMITS, curve_of(case.prices), now=NOW, options=case.options)
    assert energy_by_slot(plan) == pytest.approx(case.expected)
    assert plan.status is case.status
    assert plan.shortfall_kwh == pytest.approx(case.shortfall_kwh)
    assert plan.goal_met is (case.shortfall_kwh == 0)
    known_cost = sum(
        Decimal(str(e)) * Decimal(str(case.prices[i]))
        for i, e in energy_by_slot(plan).items()
        if case.prices[i] is not None
    ) + Decimal(0)
    assert plan.cost_eur == known_cost.quantize(Decimal("0.0001"))
    assert plan.cost_complete is all(case.prices[i] is not None for i in energy_by_slot(plan))


def test_now_inside_a_quarter_gives_a_short_first_slot() -> None:
    now = NOW + timedelta(minutes=7)
    goal = ChargeGoal(energy_kwh=1.5, departure=NOW + 4 * SLOT)
    plan = plan_charging(goal, LIMITS, curve_of([1, 5, 5, 2]), now=now)
    first = plan.slots[0]
    assert first.start == now
    assert first.end == NOW + SLOT
    assert first.energy_kwh == pytest.approx(4 * 8 / 60)  # 8 minutes at 4 kW
    assert plan.energy_kwh == pytest.approx(1.5)


def test_departure_inside_a_quarter_gives_a_short_last_slot() -> None:
    goal = ChargeGoal(energy_kwh=3.5, departure=NOW + 3 * SLOT + timedelta(minutes=5))
    for plan in (
        plan_charging(goal, LIMITS, curve_of([1, 1, 1, 1]), now=NOW),
        charge_now(goal, LIMITS, curve_of([1, 1, 1, 1]), now=NOW),
    ):
        assert plan.status is PlanStatus.NOT_ENOUGH_TIME
        assert plan.slots[-1].end == goal.departure
        assert plan.slots[-1].energy_kwh == pytest.approx(4 * 5 / 60)
        assert plan.shortfall_kwh == pytest.approx(3.5 - 3 - 4 * 5 / 60, abs=1e-6)


def test_remainder_below_minimum_power_runs_part_of_the_quarter_at_minimum() -> None:
    goal = ChargeGoal(energy_kwh=1.1, departure=NOW + 4 * SLOT)
    plan = plan_charging(goal, LIMITS, curve_of([5, 1, 2, 5]), now=NOW)
    partial = plan.slots[-1]
    assert partial.power_kw == pytest.approx(LIMITS.min_power_kw)
    assert partial.start == NOW + 2 * SLOT  # right after the full quarter, no extra switch
    assert (partial.end - partial.start).total_seconds() == pytest.approx(0.1 / 1.38 * 3600)


def test_preview_saving_is_charge_now_minus_plan() -> None:
    goal = ChargeGoal(energy_kwh=2, departure=NOW + 6 * SLOT)
    preview = preview_plan(goal, LIMITS, curve_of([5, 4, 3, 2, 1, 1]), now=NOW)
    assert preview.charge_now.cost_eur == Decimal(9)
    assert preview.plan.cost_eur == Decimal(2)
    assert preview.saving_eur == Decimal(7)
    assert preview.notes == ()


def test_preview_notes_unknown_prices_and_shortfall() -> None:
    goal = ChargeGoal(energy_kwh=9, departure=NOW + 6 * SLOT)
    preview = preview_plan(goal, LIMITS, curve_of([5, 4, None, None, None, None]), now=NOW)
    assert preview.plan.shortfall_kwh == pytest.approx(3)
    assert any("short" in n for n in preview.notes)
    assert any("no price" in n for n in preview.notes)


def test_soc_goal_converts_to_grid_energy() -> None:
    goal = ChargeGoal.from_soc(
        current_soc_pct=20, target_soc_pct=80, capacity_kwh=60, departure=NOW, efficiency=0.9
    )
    assert goal.energy_kwh == pytest.approx(40.0)


def test_charger_power_from_current_phases_and_voltage() -> None:
    limits = ChargerLimits(max_current_a=16, min_current_a=6, phases=3, voltage_v=230)
    assert limits.power_kw == pytest.approx(11.04)
    assert limits.min_power_kw == pytest.approx(4.14)
    with pytest.raises(ValueError, match="min_current_a"):
        ChargerLimits(max_current_a=5, min_current_a=6)


def test_all_in_and_market_basis_give_the_same_slots_but_different_costs() -> None:
    slots = [
        PriceSlot(NOW + i * SLOT, Decimal(m), Decimal(m) * 2 + 1)
        for i, m in enumerate(["0.3", "0.1", "0.2"])
    ]
    curve = build_curve("t", NOW, NOW + 3 * SLOT, slots)
    goal = ChargeGoal(energy_kwh=1, departure=NOW + 3 * SLOT)
    from chargebook.domain.prices import PriceBasis

    market = plan_charging(
        goal, LIMITS, curve, now=NOW, options=PlanOptions(price_basis=PriceBasis.MARKET)
    )
    all_in = plan_charging(goal, LIMITS, curve, now=NOW)
    assert [s.start for s in market.slots] == [s.start for s in all_in.slots]
    assert market.cost_eur == Decimal("0.1000")
    assert all_in.cost_eur == Decimal("1.2000")
