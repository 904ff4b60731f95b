"""The planning grid: the quarters between now and departure, with capacity and price."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import numpy as np

from chargebook.clock import ensure_utc
from chargebook.domain.prices import SLOT, PriceBasis, PriceCurve, floor_to_slot
from chargebook.planner.core import FloatArray

_HOUR_S = 3600.0


@dataclass(frozen=True, slots=True)
class SlotGrid:
    """Quarters clipped to `[now, departure)`: the first may start late (now is inside a
    quarter), the last may end early (departure is inside a quarter)."""

    starts: tuple[datetime, ...]
    ends: tuple[datetime, ...]
    hours: FloatArray
    prices: FloatArray  # EUR/kWh as float for ranking; NaN = unknown
    exact_prices: tuple[Decimal | None, ...]

    @property
    def size(self) -> int:
        return len(self.starts)

    @property
    def known_prices(self) -> int:
        return sum(p is not None for p in self.exact_prices)


def build_grid(
    now: datetime, departure: datetime, curve: PriceCurve | None, basis: PriceBasis
) -> SlotGrid:
    """The grid from `now` to `departure` (both UTC-aware); empty if departure is not later."""
    now, departure = ensure_utc(now), ensure_utc(departure)
    by_start = {s.start: s.price(basis) for s in curve.slots} if curve is not None else {}
    starts: list[datetime] = []
    ends: list[datetime] = []
    exact: list[Decimal | None] = []
    quarter = floor_to_slot(now)
    while quarter < departure:
        start, end = max(quarter, now), min(quarter + SLOT, departure)
        if end > start:
            starts.append(start)
            ends.append(end)
            exact.append(by_start.get(quarter))
        quarter += SLOT
    hours = np.array([(e - s).total_seconds() / _HOUR_S for s, e in zip(starts, ends, strict=True)])
    prices = np.array([float(p) if p is not None else np.nan for p in exact], dtype=np.float64)
    return SlotGrid(tuple(starts), tuple(ends), hours, prices, tuple(exact))
