"""The planner against the same problem solved by HiGHS (scipy): LP and MILP.

LP (cheapest slots, no minimum block): variables eᵢ = kWh in slot i,
    minimise Σ pᵢ·eᵢ   subject to   Σ eᵢ = E,   0 ≤ eᵢ ≤ capᵢ = P·hoursᵢ.
The greedy is exact for it, so the costs must agree within 0.01 %.

MILP (minimum block of m quarters): add binaries yᵢ (slot on) and sᵢ (a run starts at i),
    minᵢ·yᵢ ≤ eᵢ ≤ capᵢ·yᵢ,   sᵢ ≥ yᵢ − yᵢ₋₁,   y_{i+k} ≥ sᵢ for k < m,   sᵢ = 0 if i > n − m.
The greedy is a heuristic there; the gap is measured and bounded below.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from chargebook.domain.prices import (
    SLOT,
    ChargeGoal,
    ChargerLimits,
    PlanOptions,
    PriceSlot,
    build_curve,
)
from chargebook.planner import plan_charging
from chargebook.planner.blocks import allocate_min_block
from chargebook.planner.core import allocate_cheapest
from chargebook.planner.grid import build_grid
from chargebook.prices import load_price_file

FIXTURES = Path(__file__).parent.parent / "fixtures" / "prices"
LIMITS = ChargerLimits(max_power_kw=11.0)  # 3 × 16 A; minimum 4.14 kW


def lp_cost(prices: np.ndarray, cap: np.ndarray, energy: float) -> float:
    res = linprog(
        prices,
        A_eq=np.ones((1, len(prices))),
        b_eq=[energy],
        bounds=list(zip(np.zeros_like(cap), cap, strict=True)),
        method="highs",
    )
    assert res.status == 0
    return float(res.fun)


def milp_cost(prices: np.ndarray, cap: np.ndarray, low: np.ndarray, energy: float, m: int) -> float:
    n = len(prices)
    c = np.concatenate([prices, np.zeros(2 * n)])  # [e, y, s]
    rows, lb, ub = [], [], []

    def row() -> np.ndarray:
        return np.zeros(3 * n)

    r = row()
    r[:n] = 1
    rows.append(r)
    lb.append(energy)
    ub.append(energy)
    for i in range(n):
        r = row()
        r[i] = 1
        r[n + i] = -cap[i]
        rows.append(r)
        lb.append(-np.inf)
        ub.append(0)
        r = row()
        r[i] = 1
        r[n + i] = -low[i]
        rows.append(r)
        lb.append(0)
        ub.append(np.inf)
        r = row()
        r[2 * n + i] = 1
        r[n + i] = -1
        if i:
            r[n + i - 1] = 1
        rows.append(r)
        lb.append(0)
        ub.append(np.inf)
        for k in range(m):
            r = row()
            r[2 * n + i] = -1
            if i + k < n:
                r[n + i + k] = 1
            rows.append(r)
            lb.append(0)
            ub.append(np.inf)
    integrality = np.concatenate([np.zeros(n), np.ones(2 * n)])
    bounds = Bounds(np.zeros(3 * n), np.concatenate([cap, np.ones(2 * n)]))
    res = milp(
        c,
        constraints=LinearConstraint(np.array(rows), lb, ub),
        integrality=integrality,
        bounds=bounds,
        options={"time_limit": 20},
    )
    assert res.status == 0, res.message
    return float(res.fun)


def random_day(rng: np.random.Generator, n: int = 96) -> np.ndarray:
    # Daily shape + noise, rounded to 0.1 ct so that ties happen, sometimes negative.
    t = np.arange(n)
    shape = 0.12 + 0.08 * np.sin(2 * np.pi * (t - 30) / 96) + rng.normal(0, 0.04, n)
    return np.round(shape, 3)


@pytest.mark.parametrize("seed", range(40))
def test_cheapest_equals_lp_optimum_on_random_days(seed: int) -> None:
    rng = np.random.default_rng(seed)
    prices = random_day(rng, n=int(rng.integers(8, 192)))
    start = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    slots = [
        PriceSlot(start + i * SLOT, Decimal(str(p)), Decimal(str(p))) for i, p in enumerate(prices)
    ]
    end = start + len(prices) * SLOT
    curve = build_curve("random", start, end, slots)
    now = start + timedelta(minutes=float(rng.uniform(0, 14.9)))  # partial first quarter
    grid = build_grid(now, end, curve, PlanOptions().price_basis)
    cap = LIMITS.power_kw * grid.hours
    energy = float(rng.uniform(0.5, 0.95)) * float(cap.sum())
    plan = plan_charging(ChargeGoal(energy, end), LIMITS, curve, now=now)
    optimum = lp_cost(grid.prices, cap, energy)
    assert plan.goal_met
    assert float(plan.cost_eur) == pytest.approx(optimum, rel=1e-4, abs=1e-4)


@pytest.mark.parametrize("resolution", ["quarter", "hour"])
@pytest.mark.parametrize(
    ("plug_in_utc", "energy_kwh"),
    [("2025-12-16T17:00", 20.0), ("2025-12-17T05:30", 45.0), ("2025-12-17T17:07", 8.0)],
)
def test_cheapest_equals_lp_optimum_on_real_days(
    resolution: str, plug_in_utc: str, energy_kwh: float
) -> None:
    curve = load_price_file(FIXTURES / f"energyzero-rest-{resolution}-2025-12-16_18.json")
    now = datetime.fromisoformat(plug_in_utc).replace(tzinfo=UTC)
    departure = now + timedelta(hours=14)
    plan = plan_charging(ChargeGoal(energy_kwh, departure), LIMITS, curve, now=now)
    grid = build_grid(now, departure, curve, PlanOptions().price_basis)
    optimum = lp_cost(grid.prices, LIMITS.power_kw * grid.hours, energy_kwh)
    assert float(plan.cost_eur) == pytest.approx(optimum, rel=1e-4)


def test_min_block_gap_to_milp_is_small() -> None:
    gaps = []
    recorded = json.loads((FIXTURES / "energyzero-rest-quarter-2025-12-16_18.json").read_bytes())
    real = np.array([float(p["price"]["value"]) for p in recorded["base"]])
    days = [real[i * 96 : (i + 1) * 96] for i in range(3)]
    days += [random_day(np.random.default_rng(100 + s)) for s in range(9)]
    for d, prices in enumerate(days):
        n = 52  # 13 hours of quarters
        prices = prices[:n]
        cap = np.full(n, LIMITS.power_kw / 4)
        low = np.full(n, LIMITS.min_power_kw / 4)
        for m, energy in ((2, 12.0 + d), (4, 20.0 + d)):
            ours = float(prices @ allocate_min_block(prices, cap, low, energy, m))
            best = milp_cost(prices, cap, low, energy, m)
            # relative to the cost of the energy at the mean absolute price (costs can be ~0)
            gaps.append((ours - best) / (energy * float(np.mean(np.abs(prices)))))
    # Measured: 18 of 24 at the MILP optimum, worst 0.9 % (see planner/README.md).
    assert max(gaps) < 0.02
    assert float(np.median(gaps)) < 0.001
    assert min(gaps) > -0.01  # the greedy may bend the minimum-power rule for a last remainder


def test_allocate_cheapest_without_room_fills_everything() -> None:
    cap = np.array([1.0, 1.0])
    assert allocate_cheapest(np.array([2.0, 1.0]), cap, 5.0).tolist() == [1.0, 1.0]
