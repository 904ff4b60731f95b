"""Per-account request budget: Zaptec's fair-use policy allows 10 requests a second per
account (docs.zaptec.com "API Fair Use policy"; reference §3.1, §1.3).

One `ZaptecBudget` per account and process (`CONNECTOR.new_budget`), shared by every client
of the account (sync, recorder, commands), so the limit holds whatever runs. Waiting uses the
injected clock, so a `FixedClock` makes paced tests instant. Like the Wallbox budget, it may
be shared by tasks on different event loops in different threads: taking a slot is atomic
under a thread lock, and each loop's waiters queue first come, first served.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections import deque
from datetime import datetime

from chargebook.clock import Clock, SystemClock

REQUESTS_PER_SECOND = 10
WINDOW_S = 1.0


class ZaptecBudget:
    """At most `per_second` requests of one account in any rolling second (a sliding log)."""

    def __init__(self, *, clock: Clock | None = None, per_second: int = REQUESTS_PER_SECOND):
        if per_second < 1:
            raise ValueError("a Zaptec budget needs at least 1 request a second")
        self.per_second = per_second
        self._clock = clock or SystemClock()
        self._granted: deque[datetime] = deque()
        self._guard = threading.Lock()  # never held across an await
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        self.waited_s = 0.0  # total pacing, for tests and progress reports

    async def acquire(self) -> float:
        """Take one slot, waiting on the clock until one is free; returns the seconds waited."""
        waited = 0.0
        async with self._queue():
            while (delay_s := self._take(self._clock.now())) > 0:
                waited += delay_s
                await self._clock.sleep(delay_s)
        self.waited_s += waited
        return waited

    def _queue(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        with self._guard:
            found = self._queues.get(loop)
            if found is None:
                found = self._queues[loop] = asyncio.Lock()
            return found

    def _take(self, now: datetime) -> float:
        with self._guard:
            while self._granted and (now - self._granted[0]).total_seconds() >= WINDOW_S:
                self._granted.popleft()
            if len(self._granted) < self.per_second:
                self._granted.append(now)
                return 0.0
            return WINDOW_S - (now - self._granted[0]).total_seconds()

    def __repr__(self) -> str:
        return f"ZaptecBudget(per_second={self.per_second})"
