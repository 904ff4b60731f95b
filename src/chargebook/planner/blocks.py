"""Cheapest slots with a minimum on-period, so the charger is not switched every quarter.

Every run of consecutive charging slots must be at least `m` slots long, and a slot that is on
draws at least the charger's minimum power for the whole slot. That is a small MILP; here a
greedy keeps it fast and close (gap measured against scipy's MILP in the tests and README).
Each round takes the cheapest option per kWh, ties to the later one:

  a. open a new window of `m` free consecutive slots (minimum power in all, the rest of the
     energy in its cheapest slots),
  b. extend an existing run by one adjacent free slot,
  c. top up a slot that is already on, up to full power.
"""

from __future__ import annotations

import numpy as np

from chargebook.planner.core import EPS_KWH, FloatArray, allocate_cheapest, ranking_prices


def _window_fill(
    rank: FloatArray, cap: FloatArray, low: FloatArray, energy: float
) -> tuple[float, FloatArray]:
    """Cheapest way to put `energy` (≥ Σ low) into these slots, each between low and cap."""
    extra = allocate_cheapest(rank, cap - low, energy - float(low.sum()))
    fill = low + extra
    return float(rank @ fill), fill


def allocate_min_block(
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
