"""A cache in front of a price source; the `PriceCache` port lets a database plug in later."""

from __future__ import annotations

from datetime import datetime

from chargebook.clock import ensure_utc
from chargebook.domain.prices import PriceCache, PriceCurve, PriceSource, floor_to_slot


class InMemoryPriceCache:
    """A process-local `PriceCache`, keyed by source name and window."""

    def __init__(self) -> None:
        self._curves: dict[tuple[str, datetime, datetime], PriceCurve] = {}

    async def load(self, source: str, start: datetime, end: datetime) -> PriceCurve | None:
        return self._curves.get((source, floor_to_slot(start), ensure_utc(end)))

    async def save(self, curve: PriceCurve) -> None:
        key = (curve.source, curve.requested_start, curve.requested_end)
        self._curves[key] = curve


class CachedPriceSource:
    """Serves complete curves from `cache`; incomplete ones are fetched again next time,
    because the missing quarters may have been published in the meantime."""

    def __init__(self, source: PriceSource, cache: PriceCache) -> None:
        self._source = source
        self._cache = cache
        self.name = source.name

    async def get_prices(self, start: datetime, end: datetime) -> PriceCurve:
        """Prices for `[start, end)`; raises what the wrapped source raises."""
        cached = await self._cache.load(self.name, start, end)
        if cached is not None and cached.complete:
            return cached
        curve = await self._source.get_prices(start, end)
        if curve.complete:
            await self._cache.save(
                PriceCurve(self.name, curve.requested_start, curve.requested_end, curve.slots)
            )
        return curve
