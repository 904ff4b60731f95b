"""What energy cost at an owner's tariff: energy spread over the quarters it was drawn in,
each quarter priced by `TariffSchedule.price_at`. Pure; the book's session costs use it.

A session's energy is placed by its live samples where the book has them (each rise of the
energy counter between two samples falls evenly in between) and the rest evenly over the
session; without samples, evenly over the whole session. For a fixed tariff the placing does
not matter; for day/night and dynamic tariffs it is as good as the samples.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import pairwise

from chargebook.domain.prices import SLOT, floor_to_slot
from chargebook.domain.tariffs import TariffSchedule

_CENTS = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class EnergySpan:
    """`energy_kwh` drawn evenly during `[start, end)` (UTC-aware)."""

    start: datetime
    end: datetime
    energy_kwh: Decimal


@dataclass(frozen=True, slots=True)
class TariffCost:
    """EUR for the quarters with a price; `complete` False when some energy fell in quarters
    without one (a dynamic tariff before the market prices were cached)."""

    cost_eur: Decimal
    complete: bool


def energy_spans(
    started_at: datetime,
    ended_at: datetime,
    energy_kwh: Decimal,
    samples: Sequence[tuple[datetime, float]] = (),
) -> list[EnergySpan]:
    """Where a session's `energy_kwh` was drawn, from `(observed_at, energy counter kWh)`
    samples in time order (see the module docstring)."""
    if energy_kwh <= 0 or ended_at <= started_at:
        return []
    spans: list[EnergySpan] = []
    placed = Decimal(0)
    inside = [(t, e) for t, e in samples if started_at <= t <= ended_at]
    for (t0, e0), (t1, e1) in pairwise(inside):
        rise = Decimal(f"{e1 - e0:.6f}")
        if rise > 0 and t1 > t0 and placed + rise <= energy_kwh:
            spans.append(EnergySpan(t0, t1, rise))
            placed += rise
    rest = energy_kwh - placed
    if rest > 0:
        spans.append(EnergySpan(started_at, ended_at, rest))
    return spans


def energy_cost(
    schedule: TariffSchedule,
    spans: Iterable[EnergySpan],
    market: Mapping[datetime, Decimal] | None = None,
) -> TariffCost:
    """Σ kWh × the schedule's EUR/kWh per quarter (market prices by quarter start, UTC)."""
    market = market or {}
    total = Decimal(0)
    complete = True
    for span in spans:
        seconds = Decimal(str((span.end - span.start).total_seconds()))
        quarter = floor_to_slot(span.start)
        while quarter < span.end:
            overlap = min(quarter + SLOT, span.end) - max(quarter, span.start)
            share = span.energy_kwh * Decimal(str(overlap.total_seconds())) / seconds
            price = schedule.price_at(quarter, market.get(quarter))
            if price is None:
                complete = False
            else:
                total += share * price
            quarter += SLOT
    return TariffCost(total.quantize(_CENTS), complete)
