"""The price cache in the database (SQLite and PostgreSQL): slots keyed by (source, start),
market and all-in prices kept apart, complete curves served without asking the source."""

from __future__ import annotations

from datetime import date, datetime

from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.db.smart.store import DatabasePriceCache
from chargebook.domain.prices import PriceCurve, build_curve
from chargebook.prices import CachedPriceSource, FallbackPriceSource, load_price_file
from chargebook.prices.slots import local_day_window

from .conftest import QUARTER_FILE


class CountingSource:
    """The recording, as a source that counts its calls and can hide quarters."""

    def __init__(self, name: str, published_until: datetime | None = None) -> None:
        self.name = name
        self.calls = 0
        self.published_until = published_until
        self._curve = load_price_file(QUARTER_FILE)

    async def get_prices(self, start: datetime, end: datetime) -> PriceCurve:
        self.calls += 1
        slots = [
            s
            for s in self._curve.slots
            if self.published_until is None or s.start < self.published_until
        ]
        return build_curve(self.name, start, end, slots)


async def test_a_complete_day_is_stored_and_served_from_the_database(
    database: Database, clock: FixedClock
) -> None:
    start, end = local_day_window(date(2025, 12, 17))
    source = CountingSource("energyzero")
    first = await CachedPriceSource(source, DatabasePriceCache(database, clock)).get_prices(
        start, end
    )
    assert first.complete
    assert len(first.slots) == 96
    # A new cache object (a new process) finds the day in the database.
    again = await CachedPriceSource(source, DatabasePriceCache(database, clock)).get_prices(
        start, end
    )
    assert source.calls == 1
    assert again.slots == first.slots  # market and all-in prices round-trip exactly
    assert again.source == "energyzero"
    assert {s.market_eur_per_kwh for s in again.slots} != {
        s.all_in_eur_per_kwh for s in again.slots
    }


async def test_missing_tomorrow_stays_visible_and_is_fetched_again(
    database: Database, clock: FixedClock
) -> None:
    start, _ = local_day_window(date(2025, 12, 17))
    _, end = local_day_window(date(2025, 12, 18))
    source = CountingSource("energyzero", published_until=local_day_window(date(2025, 12, 18))[0])
    cached = CachedPriceSource(source, DatabasePriceCache(database, clock))
    partial = await cached.get_prices(start, end)
    assert not partial.complete
    assert partial.missing_from == local_day_window(date(2025, 12, 18))[0]
    source.published_until = None  # tomorrow is published
    full = await cached.get_prices(start, end)
    assert full.complete
    assert source.calls == 2
    await cached.get_prices(start, end)
    assert source.calls == 2


async def test_slots_are_kept_per_source(database: Database, clock: FixedClock) -> None:
    start, end = local_day_window(date(2025, 12, 17))
    cache = DatabasePriceCache(database, clock)
    energyzero, entsoe = CountingSource("energyzero"), CountingSource("entsoe")
    chain = FallbackPriceSource(
        [CachedPriceSource(energyzero, cache), CachedPriceSource(entsoe, cache)]
    )
    await chain.get_prices(start, end)
    assert await cache.load("entsoe", start, end) is None
    stored = await cache.load("energyzero", start, end)
    assert stored is not None
    assert stored.complete
    # A later fetch of the same slots replaces them instead of failing on the key.
    await cache.save(stored)
    assert (await cache.load("energyzero", start, end)) == stored
