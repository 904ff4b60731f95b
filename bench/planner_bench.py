"""Planner benchmark: 10,000 cheapest-slot plans over 192 quarters (two days).

    .venv/bin/python -m bench.planner_bench [--runs 5] [--plans 10000]

Times the numeric core (`allocate_cheapest`, what a controller calls every quarter), then the
full `plan_charging` with domain objects and Decimal costs, and the LP baseline (scipy HiGHS,
the same problem as in tests/planner/test_optimality.py) on a sample, with the cost gap.
Target: ≤ 1 s for the 10,000 core plans on a 2-core machine.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime
from decimal import Decimal

import numpy as np

from chargebook.domain.prices import SLOT, ChargeGoal, ChargerLimits, PriceSlot, build_curve
from chargebook.planner import plan_charging
from chargebook.planner.core import allocate_cheapest

SLOTS = 192
POWER_KW = 11.0


def _days(plans: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(SLOTS)
    shape = 0.10 + 0.07 * np.sin(2 * np.pi * (t - 30) / 96)
    prices = np.round(shape + rng.normal(0, 0.04, (plans, SLOTS)), 4)
    caps = np.full((plans, SLOTS), POWER_KW * 0.25)
    caps[:, 0] *= rng.uniform(0.05, 1.0, plans)  # now is inside the first quarter
    energy = rng.uniform(5, 80, plans)
    return prices, caps, energy


def bench_core(prices: np.ndarray, caps: np.ndarray, energy: np.ndarray) -> tuple[float, float]:
    start = time.perf_counter()
    total = 0.0
    for p, c, e in zip(prices, caps, energy, strict=True):
        total += float(p @ allocate_cheapest(p, c, float(e)))
    return time.perf_counter() - start, total


def bench_full(prices: np.ndarray, energy: np.ndarray, plans: int) -> float:
    start_at = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    limits = ChargerLimits(max_power_kw=POWER_KW)
    curves = []
    for p in prices[:plans]:
        slots = [
            PriceSlot(start_at + i * SLOT, Decimal(str(v)), Decimal(str(v)))
            for i, v in enumerate(p)
        ]
        curves.append(build_curve("bench", start_at, start_at + SLOTS * SLOT, slots))
    goal_end = start_at + SLOTS * SLOT
    began = time.perf_counter()
    for curve, e in zip(curves, energy, strict=False):
        plan_charging(ChargeGoal(float(e), goal_end), limits, curve, now=start_at)
    return (time.perf_counter() - began) / plans


def bench_lp(
    prices: np.ndarray, caps: np.ndarray, energy: np.ndarray, sample: int
) -> tuple[float, float]:
    from scipy.optimize import linprog  # type: ignore[import-untyped]  # dev extra only

    gaps, began = [], time.perf_counter()
    for p, c, e in zip(prices[:sample], caps[:sample], energy[:sample], strict=True):
        res = linprog(
            p,
            A_eq=np.ones((1, SLOTS)),
            b_eq=[e],
            bounds=np.column_stack([np.zeros(SLOTS), c]),
            method="highs",
        )
        ours = float(p @ allocate_cheapest(p, c, float(e)))
        gaps.append(abs(ours - res.fun) / max(abs(res.fun), 1e-9))
    return (time.perf_counter() - began) / sample, max(gaps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--plans", type=int, default=10_000)
    args = parser.parse_args()
    prices, caps, energy = _days(args.plans)
    bench_core(prices[:100], caps[:100], energy[:100])  # warm up
    core = [bench_core(prices, caps, energy)[0] for _ in range(args.runs)]
    full = statistics.median(bench_full(prices, energy, 500) for _ in range(3))
    lp_per_plan, worst_gap = bench_lp(prices, caps, energy, 300)
    print(
        f"core: {args.plans} plans x {SLOTS} slots, median of {args.runs} runs: "
        f"{statistics.median(core):.3f} s (min {min(core):.3f}, max {max(core):.3f}); target <= 1 s"
    )
    print(f"full plan_charging (domain objects, Decimal cost): {full * 1e3:.2f} ms per plan")
    print(
        f"LP baseline (scipy linprog/HiGHS): {lp_per_plan * 1e3:.2f} ms per plan; "
        f"worst cost gap to LP over 300 plans: {worst_gap * 100:.6f} %"
    )


if __name__ == "__main__":
    main()
