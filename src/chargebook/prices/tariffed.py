"""A price source in front of another that prices every quarter at an owner's tariff.

The sources (and the cache) deliver market prices; what a quarter costs a household is the
owner's business (`domain.tariffs`). Wrapping the source keeps the planner, the smart
controller and the savings ledger unaware of tariffs: they read `all_in_eur_per_kwh` as before.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from chargebook.domain.prices import PriceCurve, PriceSource
from chargebook.domain.tariffs import TariffSchedule, reprice


class TariffedPriceSource:
    """`source`'s curves with each quarter's all-in price from `schedule()` (asked on every
    fetch, so a tariff changed while a controller runs counts from its next price fetch)."""

    def __init__(self, source: PriceSource, schedule: Callable[[], TariffSchedule]) -> None:
        self._source = source
        self._schedule = schedule
        self.name = source.name

    async def get_prices(self, start: datetime, end: datetime) -> PriceCurve:
        """Prices for `[start, end)`; raises what the wrapped source raises."""
        curve = await self._source.get_prices(start, end)
        return reprice(curve, self._schedule())


def fixed_schedule(schedule: TariffSchedule) -> Callable[[], TariffSchedule]:
    """A schedule that never changes (a preview, the CLI)."""
    return lambda: schedule
