"""The demo's recorded prices, replayed onto yesterday, today and tomorrow of its clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from chargebook.clock import FixedClock
from chargebook.domain.prices import SLOT, PriceSlot
from chargebook.prices import load_price_file
from chargebook.prices.demo import DEMO_PRICE_FILE, DemoPriceSource, load_demo_recording
from chargebook.prices.slots import AMSTERDAM, local_day_window, quarters_in_local_day

from .conftest import QUARTER_FILE

SRC = Path(__file__).parents[2] / "src" / "chargebook"


def _prices(slots: list[PriceSlot]) -> list[tuple[object, object]]:
    return [(s.market_eur_per_kwh, s.all_in_eur_per_kwh) for s in slots]


def test_the_shipped_recording_is_the_projects_recording() -> None:
    shipped = SRC / "prices" / "demo_data" / DEMO_PRICE_FILE
    assert shipped.read_bytes() == QUARTER_FILE.read_bytes()
    assert load_demo_recording().slots == load_price_file(QUARTER_FILE).slots


async def test_recorded_days_land_on_yesterday_today_and_tomorrow_unchanged() -> None:
    source = DemoPriceSource(FixedClock(datetime(2026, 11, 21, 18, 30, tzinfo=UTC)))
    assert source.name == "demo prices recorded 16-18 Dec 2025"
    recording = load_price_file(QUARTER_FILE)
    start, _ = local_day_window(date(2026, 11, 20))
    _, end = local_day_window(date(2026, 11, 22))
    curve = await source.get_prices(start, end)
    assert curve.complete
    assert curve.source == source.name
    assert len(curve.slots) == 3 * 96 == len(recording.slots)
    # Winter to winter: exactly the recording, shifted by whole days, prices identical.
    shift = start - recording.slots[0].start
    assert shift % timedelta(days=1) == timedelta(0)
    assert [s.start - shift for s in curve.slots] == [s.start for s in recording.slots]
    assert _prices(list(curve.slots)) == _prices(list(recording.slots))
    # Tomorrow is the recording's last day; the day after has no prices yet.
    later = await source.get_prices(end, end + timedelta(days=1))
    assert later.slots == ()
    assert not later.complete


async def test_today_follows_the_clock() -> None:
    clock = FixedClock(datetime(2026, 11, 21, 12, tzinfo=UTC))
    source = DemoPriceSource(clock)
    day_start, day_end = local_day_window(date(2026, 11, 22))
    before = await source.get_prices(day_start, day_end)
    clock.advance(timedelta(days=1))
    after = await source.get_prices(day_start, day_end)
    # Tomorrow (recorded 18 Dec) became today (recorded 17 Dec): same quarters, other prices.
    assert [s.start for s in before.slots] == [s.start for s in after.slots]
    assert _prices(list(before.slots)) != _prices(list(after.slots))


@pytest.mark.parametrize(
    ("today", "quarters"),
    [(date(2026, 3, 29), 92), (date(2026, 10, 25), 100), (date(2026, 7, 1), 96)],
)
async def test_clock_change_days_keep_quarters_and_wall_clock_prices(
    today: date, quarters: int
) -> None:
    noon = datetime(today.year, today.month, today.day, 12, tzinfo=AMSTERDAM)
    source = DemoPriceSource(FixedClock(noon))
    recorded_today = {
        s.start.astimezone(AMSTERDAM).time(): s
        for s in load_price_file(QUARTER_FILE).slots
        if s.start.astimezone(AMSTERDAM).date() == date(2025, 12, 17)
    }
    start, end = local_day_window(today)
    curve = await source.get_prices(start, end)
    assert quarters_in_local_day(today) == quarters
    assert curve.complete
    assert len(curve.slots) == quarters
    assert all(b.start - a.start == SLOT for a, b in pairwise(curve.slots))
    for slot in curve.slots:
        recorded = recorded_today[slot.start.astimezone(AMSTERDAM).time()]
        assert slot.market_eur_per_kwh == recorded.market_eur_per_kwh
        assert slot.all_in_eur_per_kwh == recorded.all_in_eur_per_kwh


def test_only_the_demos_build_the_demo_source() -> None:
    users = {
        path.relative_to(SRC).as_posix()
        for path in SRC.rglob("*.py")
        if "DemoPriceSource" in path.read_text("utf-8")
    }
    assert users <= {"prices/demo.py", "cli/demo_smart.py", "demo/web.py"}
