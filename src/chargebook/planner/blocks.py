"""Cheapest slots with a minimum on-period, so the charger is not switched every quarter.

Every run of consecutive charging slots must be at least `m` slots long, and a slot that is on
draws at least the charger's minimum power for the whole slot. That is a small MILP; here a
greedy keeps it fast and close (gap measured against scipy's MILP in the tests and README).
Three starting sets of on-slots are improved by local search and the cheapest wins:

  1. a greedy that each round takes the cheapest option per kWh, ties to the later one:

     a. open a new window of `m` free consecutive slots (minimum power in all, the rest of
        the energy in its cheapest slots),
     b. extend an existing run by one adjacent free slot,
     c. top up a slot that is already on, up to full power;
  2. the unconstrained cheapest slots with every short run widened to `m` at its cheapest;
  3. the cheapest single continuous window.

For a fixed set S of on-slots the best energy split is exact (minimum energy everywhere in S,
the rest cheapest-first), so the search only moves runs: drop one, grow or shrink an end by
a quarter, or shift it by a quarter, while every run stays at least `m` long.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from chargebook.planner.core import (
    EPS_KWH,
    FloatArray,
    allocate_cheapest,
    allocate_continuous,
    ranking_prices,
)


def _window_fill(
    rank: FloatArray, cap: FloatArray, low: FloatArray, energy: float
) -> tuple[float, FloatArray]:
    """Cheapest way to put `energy` (≥ Σ low) into these slots, each between low and cap."""
    extra = allocate_cheapest(rank, cap - low, energy - float(low.sum()))
    fill = low + extra
    return float(rank @ fill), fill


def _greedy(
    prices: FloatArray,
    cap_kwh: FloatArray,
    min_kwh: FloatArray,
    energy_kwh: float,
    min_slots: int,
) -> FloatArray:
    """Energy per slot with every on-run at least `min_slots` long (see module docstring).

    `min_kwh` is the minimum-power energy of each slot. If the energy is too small for even one
    minimum-power block, the rule is relaxed for that remainder (cheapest slots).
    """
    n = prices.shape[0]
    out = np.zeros(n)
    if energy_kwh <= EPS_KWH or n == 0:
        return out
    m = max(1, min(min_slots, n))
    if m == 1:
        return allocate_cheapest(prices, cap_kwh, energy_kwh)
    rank = ranking_prices(prices)
    remaining = energy_kwh
    on = np.zeros(n, dtype=bool)
    while remaining > EPS_KWH:
        best: tuple[float, int, str, int] | None = None  # (eur per kwh, -slot, kind, slot)
        free = ~on
        # a. new windows of m free slots
        free_run = np.convolve(free.astype(np.int64), np.ones(m, dtype=np.int64), "valid")
        for w in np.flatnonzero(free_run == m).tolist():
            sl = slice(w, w + m)
            x = min(remaining, float(cap_kwh[sl].sum()))
            if x < float(min_kwh[sl].sum()) - EPS_KWH:
                continue
            cost, _ = _window_fill(rank[sl], cap_kwh[sl], min_kwh[sl], x)
            cand = (cost / x, -w, "window", w)
            best = cand if best is None or cand < best else best
        # b. extend a run by one neighbouring free slot
        neighbour = np.zeros(n, dtype=bool)
        neighbour[1:] |= on[:-1]
        neighbour[:-1] |= on[1:]
        # (a remainder below minimum energy just makes the run a few minutes longer)
        for j in np.flatnonzero(neighbour & free).tolist():
            cand = (float(rank[j]), -j, "extend", j)
            best = cand if best is None or cand < best else best
        # c. top up a slot that is already on
        for j in np.flatnonzero(on & (cap_kwh - out > EPS_KWH)).tolist():
            cand = (float(rank[j]), -j, "top_up", j)
            best = cand if best is None or cand < best else best
        if best is None:
            break
        _, _, kind, i = best
        if kind == "window":
            sl = slice(i, i + m)
            x = min(remaining, float(cap_kwh[sl].sum()))
            _, fill = _window_fill(rank[sl], cap_kwh[sl], min_kwh[sl], x)
            out[sl] = fill
            on[sl] = True
            remaining -= x
        else:
            add = min(remaining, float(cap_kwh[i] - out[i]))
            out[i] += add
            on[i] = True
            remaining -= add
    if remaining > EPS_KWH:
        # Too little energy for one minimum block, or no room left for whole blocks: meeting
        # the goal matters more than the switching rule, so the rest goes to the cheapest room.
        out += allocate_cheapest(prices, cap_kwh - out, remaining)
    return out


def _runs(on: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """Half-open index ranges of consecutive True values."""
    edges = np.diff(np.concatenate(([0], on.astype(np.int8), [0])))
    return list(
        zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True)
    )


class _SetFiller:
    """Exact cost of the best energy split over a fixed set of on-slots."""

    def __init__(self, rank: FloatArray, cap: FloatArray, low: FloatArray, energy: float) -> None:
        self.rank, self.cap, self.low, self.energy = rank, cap, low, energy

    def fill(self, on: npt.NDArray[np.bool_]) -> tuple[float, FloatArray] | None:
        base = float(self.low[on].sum())
        if base > self.energy + EPS_KWH or float(self.cap[on].sum()) < self.energy - EPS_KWH:
            return None
        out = np.zeros(on.shape[0])
        idx = np.flatnonzero(on)
        extra = allocate_cheapest(self.rank[idx], self.cap[idx] - self.low[idx], self.energy - base)
        out[idx] = self.low[idx] + extra
        return float(self.rank @ out), out


def _neighbours(on: npt.NDArray[np.bool_], m: int) -> list[npt.NDArray[np.bool_]]:
    n = on.shape[0]
    result = []
    for a, b in _runs(on):
        moves: list[tuple[int, int, bool]] = [(a, b, False)]  # drop the run
        moves += [(a - 1, b, True), (a, b + 1, True)]  # grow an end
        if b - a > m:
            moves += [(a + 1, b, True), (a, b - 1, True)]  # shrink an end
        moves += [(a - 1, b - 1, True), (a + 1, b + 1, True)]  # shift
        for lo, hi, keep in moves:
            if lo < 0 or hi > n:
                continue
            cand = on.copy()
            cand[a:b] = False
            if keep:
                cand[lo:hi] = True
            if all(y - x >= m for x, y in _runs(cand)):
                result.append(cand)
    return result


def _widen_short_runs(
    on: npt.NDArray[np.bool_], rank: FloatArray, cap: FloatArray, m: int
) -> npt.NDArray[np.bool_]:
    n = on.shape[0]
    out = on.copy()
    for a, b in _runs(on):
        if b - a >= m:
            continue
        best_lo, best_cost = None, np.inf
        for lo in range(max(0, b - m), min(a, n - m) + 1):
            cost = float(rank[lo : lo + m] @ cap[lo : lo + m])
            if cost <= best_cost:
                best_lo, best_cost = lo, cost
        if best_lo is not None:
            out[best_lo : best_lo + m] = True
    return out


def allocate_min_block(
    prices: FloatArray,
    cap_kwh: FloatArray,
    min_kwh: FloatArray,
    energy_kwh: float,
    min_slots: int,
) -> FloatArray:
    """Energy per slot with every on-run at least `min_slots` quarters long, each on-slot at
    least at minimum power (see the module docstring for the search).

    If no such plan exists (less energy than one minimum block at minimum power, or no room)
    the rule is relaxed: the cheapest slots are used, so the goal still comes first.
    """
    n = prices.shape[0]
    m = max(1, min(min_slots, n))
    if energy_kwh <= EPS_KWH or n == 0 or m == 1:
        return allocate_cheapest(prices, cap_kwh, energy_kwh)
    rank = ranking_prices(prices)
    filler = _SetFiller(rank, cap_kwh, min_kwh, energy_kwh)
    starts = [
        _greedy(prices, cap_kwh, min_kwh, energy_kwh, m) > EPS_KWH,
        _widen_short_runs(
            allocate_cheapest(prices, cap_kwh, energy_kwh) > EPS_KWH, rank, cap_kwh, m
        ),
        allocate_continuous(prices, cap_kwh, energy_kwh) > EPS_KWH,
    ]
    best: tuple[float, FloatArray] | None = None
    for on in starts:
        if any(b - a < m for a, b in _runs(on)):
            continue
        current = filler.fill(on)
        while current is not None:
            improved = None
            for cand in _neighbours(on, m):
                filled = filler.fill(cand)
                if filled is not None and filled[0] < (improved or current)[0] - 1e-12:
                    improved, on = filled, cand
            if improved is None:
                break
            current = improved
        if current is not None and (best is None or current[0] < best[0] - 1e-12):
            best = current
    if best is None:
        return allocate_cheapest(prices, cap_kwh, energy_kwh)
    return best[1]
