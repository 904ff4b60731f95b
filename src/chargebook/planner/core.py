"""The numeric heart of the planner: energy per slot from prices and slot capacities.

Every function takes `prices` (EUR/kWh, NaN = unknown) and `cap_kwh` (what the charger can
deliver in each slot at full power: power × slot hours, shorter for a partial first or last
slot), all in time order, and returns the energy in kWh per slot. Unknown prices rank after
every known price, and ties go to the LATER slot, so without prices the energy ends up just
before departure. Pure numpy, no datetimes: this is what the benchmark times.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
EPS_KWH = 1e-9


def ranking_prices(prices: FloatArray) -> FloatArray:
    """Prices with unknown (NaN) replaced by a value above every known price."""
    known = ~np.isnan(prices)
    if known.all():
        return prices
    top = float(np.max(prices[known])) + 1.0 if known.any() else 1.0
    return np.where(known, prices, top)


def allocate_cheapest(prices: FloatArray, cap_kwh: FloatArray, energy_kwh: float) -> FloatArray:
    """Fill the cheapest slots first (ties: later slot first) until `energy_kwh` is placed.

    This is the exact optimum of the LP  min Σ pᵢeᵢ  s.t. Σ eᵢ = E, 0 ≤ eᵢ ≤ capᵢ  (a
    fractional knapsack): O(n log n) for the sort. If the slots cannot hold `energy_kwh`, every
    slot is full and the caller reports the shortfall.
    """
    n = prices.shape[0]
    out = np.zeros(n)
    if energy_kwh <= EPS_KWH or n == 0:
        return out
    # A stable sort of the reversed array puts the later of two equal prices first; NaN last.
    order = (n - 1) - np.argsort(prices[::-1], kind="stable")
    cum = np.cumsum(cap_kwh[order])
    k = int(np.searchsorted(cum, energy_kwh - EPS_KWH))
    if k >= n:
        return cap_kwh.copy()
    full = order[:k]
    out[full] = cap_kwh[full]
    out[order[k]] = energy_kwh - (float(cum[k - 1]) if k else 0.0)
    return out


def allocate_continuous(prices: FloatArray, cap_kwh: FloatArray, energy_kwh: float) -> FloatArray:
    """One uninterrupted block: the cheapest window of consecutive slots that holds the energy.

    The window's surplus capacity is taken off whichever edge slot is dearer, so the block
    starts late or ends early inside that quarter. Ties go to the later window.
    """
    n = prices.shape[0]
    out = np.zeros(n)
    if energy_kwh <= EPS_KWH or n == 0:
        return out
    cum_cap = np.concatenate(([0.0], np.cumsum(cap_kwh)))
    if cum_cap[-1] < energy_kwh - EPS_KWH:
        return cap_kwh.copy()
    rank = ranking_prices(prices)
    cum_cost = np.concatenate(([0.0], np.cumsum(rank * cap_kwh)))
    starts = np.arange(n)
    ends = np.searchsorted(cum_cap, cum_cap[:n] + energy_kwh - EPS_KWH)  # exclusive end + 0
    valid = ends <= n
    starts, ends = starts[valid], ends[valid]
    surplus = np.maximum(cum_cap[ends] - cum_cap[starts] - energy_kwh, 0.0)
    first_p, last_p = rank[starts], rank[ends - 1]
    trim_first = (first_p > last_p) & (cap_kwh[starts] >= surplus)
    trim_price = np.where(trim_first, first_p, last_p)
    cost = cum_cost[ends] - cum_cost[starts] - surplus * trim_price
    best = len(cost) - 1 - int(np.argmin(cost[::-1]))  # ties: the later window
    s, e = int(starts[best]), int(ends[best])
    out[s:e] = cap_kwh[s:e]
    if trim_first[best]:
        out[s] -= surplus[best]
    else:
        out[e - 1] -= surplus[best]
    return out


def allocate_below_cap(
    prices: FloatArray, cap_kwh: FloatArray, energy_kwh: float, cap_eur_per_kwh: float
) -> FloatArray:
    """Charge in time order in every slot priced at or below the cap until the energy is in.

    Unknown prices are never below the cap. The caller decides what to do with what is left.
    """
    cheap = ~np.isnan(prices) & (prices <= cap_eur_per_kwh)
    caps = np.where(cheap, cap_kwh, 0.0)
    before = np.cumsum(caps) - caps
    return np.clip(energy_kwh - before, 0.0, caps)


def allocate_latest(cap_kwh: FloatArray, energy_kwh: float) -> FloatArray:
    """Just in time: fill the latest slots first (used when no price is known)."""
    rev = cap_kwh[::-1]
    cum = np.cumsum(rev)
    filled = np.clip(energy_kwh - (cum - rev), 0.0, rev)
    return np.ascontiguousarray(filled[::-1])


def allocate_now(cap_kwh: FloatArray, energy_kwh: float) -> FloatArray:
    """Charge at full power from now until the energy is in (the reference plan)."""
    cum = np.cumsum(cap_kwh)
    return np.clip(energy_kwh - (cum - cap_kwh), 0.0, cap_kwh)
