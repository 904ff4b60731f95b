from datetime import UTC, datetime, timedelta

import pytest

from chargebook.clock import FixedClock, SystemClock, ensure_utc


async def test_fixed_clock_sleep_advances_without_waiting(clock: FixedClock) -> None:
    before = clock.now()
    await clock.sleep(90)
    assert clock.now() - before == timedelta(seconds=90)
    assert clock.slept_seconds == 90


def test_fixed_clock_refuses_naive_and_backwards() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        FixedClock(datetime(2026, 1, 1))
    clock = FixedClock(datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)


def test_system_clock_is_utc_aware() -> None:
    assert SystemClock().now().tzinfo is UTC


def test_ensure_utc_converts_and_refuses_naive() -> None:
    from zoneinfo import ZoneInfo

    local = datetime(2026, 7, 1, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    assert ensure_utc(local) == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="naive"):
        ensure_utc(datetime(2026, 7, 1))
