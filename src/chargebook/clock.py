"""Time is injected: cores ask a Clock, never `datetime.now()` or `asyncio.sleep` directly.

`FixedClock` lets tests and the simulator fast-forward: its `sleep` advances the clock instead
of waiting, so retry and rate-limit logic runs instantly under test.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """A source of the current UTC time and of waiting."""

    def now(self) -> datetime:
        """The current time, timezone-aware in UTC."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` (a fake clock advances instead)."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class FixedClock:
    """A clock that only moves when told to; `sleep` advances it without waiting."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware start time")
        self._now = start.astimezone(UTC)
        self.slept_seconds = 0.0

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta | float) -> None:
        """Move the clock forward by a timedelta or a number of seconds."""
        seconds = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
        if seconds < 0:
            raise ValueError("a clock does not run backwards")
        self._now += timedelta(seconds=seconds)

    def set(self, moment: datetime) -> None:
        """Jump to `moment` (timezone-aware)."""
        if moment.tzinfo is None:
            raise ValueError("FixedClock needs timezone-aware times")
        self._now = moment.astimezone(UTC)

    async def sleep(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        self.slept_seconds += seconds
        self.advance(seconds)
        await asyncio.sleep(0)  # still yield, so other tasks get their turn


def ensure_utc(moment: datetime) -> datetime:
    """Return `moment` in UTC; a naive datetime is a programming error."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: chargebook only handles timezone-aware times")
    return moment.astimezone(UTC)


def in_zone(moment: datetime, zone: tzinfo) -> datetime | None:
    """`moment` in `zone`, or None when the zone cannot express it (the first or last hours of
    years 1 and 9999: a book may hold such times, stored before they were refused)."""
    try:
        return moment.astimezone(zone)
    except OverflowError:
        return None
