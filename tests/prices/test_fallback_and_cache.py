"""FallbackPriceSource order and the cache in front of a source (in-memory fakes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from chargebook.domain.prices import SLOT, PriceCurve, PriceSlot, build_curve
from chargebook.prices import (
    CachedPriceSource,
    FallbackPriceSource,
    InMemoryPriceCache,
    PriceSourceAuthError,
    PriceSourceConnectionError,
    PriceSourceError,
    PriceSourcesExhaustedError,
)

START = datetime(2026, 3, 10, 23, 0, tzinfo=UTC)
END = START + timedelta(days=1)


class FakeSource:
    """Answers with `quarters` slots from the window start, or raises `error`."""

    def __init__(self, name: str, quarters: int = 96, error: PriceSourceError | None = None):
        self.name = name
        self.quarters = quarters
        self.error = error
        self.calls = 0

    async def get_prices(self, start: datetime, end: datetime) -> PriceCurve:
        self.calls += 1
        if self.error is not None:
            raise self.error
        slots = [
            PriceSlot(start + i * SLOT, Decimal("0.1"), Decimal("0.3"))
            for i in range(self.quarters)
        ]
        return build_curve(self.name, start, end, slots)


@pytest.mark.parametrize(
    ("sources", "answered_by", "complete"),
    [
        pytest.param([FakeSource("a"), FakeSource("b")], "a", True, id="first-complete-wins"),
        pytest.param(
            [
                FakeSource("a", error=PriceSourceConnectionError("down", source="a")),
                FakeSource("b"),
            ],
            "b",
            True,
            id="failing-first-falls-back",
        ),
        pytest.param(
            [FakeSource("a", quarters=56), FakeSource("b")], "b", True, id="partial-first-asks-next"
        ),
        pytest.param(
            [FakeSource("a", quarters=56), FakeSource("b", quarters=20)],
            "a",
            False,
            id="best-partial-when-none-complete",
        ),
    ],
)
async def test_fallback_order(sources: list[FakeSource], answered_by: str, complete: bool) -> None:
    curve = await FallbackPriceSource(sources).get_prices(START, END)
    assert curve.source == answered_by
    assert curve.complete is complete


async def test_all_sources_failing_raises_with_retry_hint() -> None:
    failing = [
        FakeSource("a", error=PriceSourceAuthError("bad token", source="a")),
        FakeSource("b", error=PriceSourceConnectionError("timeout", source="b")),
    ]
    with pytest.raises(PriceSourcesExhaustedError) as info:
        await FallbackPriceSource(failing).get_prices(START, END)
    assert info.value.retryable  # one of them was transient
    assert [e.source for e in info.value.errors] == ["a", "b"]


async def test_cache_serves_complete_curves_and_refetches_incomplete_ones() -> None:
    complete, partial = FakeSource("ez"), FakeSource("ez2", quarters=10)
    cache = InMemoryPriceCache()
    cached, cached_partial = CachedPriceSource(complete, cache), CachedPriceSource(partial, cache)
    for _ in range(3):
        assert (await cached.get_prices(START, END)).complete
        assert not (await cached_partial.get_prices(START, END)).complete
    assert complete.calls == 1
    assert partial.calls == 3


def test_curve_is_cut_at_the_first_gap() -> None:
    slots = [PriceSlot(START + i * SLOT, Decimal(i), Decimal(i)) for i in (0, 1, 3)]
    curve = build_curve("x", START, END, slots)
    assert len(curve.slots) == 2
    assert curve.known_until == START + 2 * SLOT
    assert curve.missing_from == START + 2 * SLOT
