"""`PeblarBudget`: the requests one charger is sent, per rolling minute.

Peblar documents no rate limit for its local APIs, but the charger is a small embedded
computer that also runs the charging itself; python-peblar retries its 429 and Home
Assistant polls every 10 s (about 18 requests a minute). chargebook keeps every client of one
charger (sync, recorder, commands) under one shared budget, 60 requests a minute by default,
and waits on the injected clock for a free slot rather than failing.
"""

from __future__ import annotations

import asyncio
from collections import deque
from datetime import datetime, timedelta

from chargebook.clock import Clock

DEFAULT_REQUESTS_PER_MINUTE = 60
_MINUTE = timedelta(minutes=1)


class PeblarBudget:
    """A rolling-minute request budget for one charger, safe to share between tasks."""

    def __init__(self, clock: Clock, *, per_minute: int = DEFAULT_REQUESTS_PER_MINUTE) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self._clock = clock
        self.per_minute = per_minute
        self._sent: deque[datetime] = deque()
        self._lock: asyncio.Lock | None = None
        self.waited_s = 0.0

    def _wait_s(self, now: datetime) -> float:
        while self._sent and now - self._sent[0] >= _MINUTE:
            self._sent.popleft()
        if len(self._sent) < self.per_minute:
            self._sent.append(now)
            return 0.0
        return max((_MINUTE - (now - self._sent[0])).total_seconds(), 0.001)

    async def acquire(self) -> float:
        """Take one slot, waiting on the clock until one is free; the seconds waited."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        waited = 0.0
        async with self._lock:  # waiters queue fairly
            while (delay := self._wait_s(self._clock.now())) > 0:
                waited += delay
                await self._clock.sleep(delay)
        self.waited_s += waited
        return waited

    def __repr__(self) -> str:
        return f"PeblarBudget(per_minute={self.per_minute})"
