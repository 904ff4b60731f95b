"""A discrete-event clock for in-process benchmarks that must respect per-minute budgets.

`FixedClock.sleep` advances the shared time by every sleeper's delay, so with 200 concurrent
accounts time runs 200 times too fast and jumps while a request is in flight. `VirtualClock`
behaves like real time instead: a sleeper waits until every task of the event loop is blocked,
then time jumps to the earliest wake-up. A run that needs hours of wall time at 3 reads a
minute finishes in seconds, and a request is answered at the moment it was sent.

Only for in-process runs (httpx.ASGITransport): it inspects the default asyncio loop's ready
queue to know that nothing else can run.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from datetime import datetime, timedelta


class VirtualClock:
    """Satisfies `chargebook.clock.Clock`; run `drive()` as a task while the work runs."""

    def __init__(self, start: datetime) -> None:
        self._now = start
        self._sleepers: list[tuple[datetime, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self.jumps = 0

    def now(self) -> datetime:
        return self._now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        wake = asyncio.get_running_loop().create_future()
        deadline = self._now + timedelta(seconds=seconds)
        heapq.heappush(self._sleepers, (deadline, next(self._order), wake))
        await wake

    async def drive(self) -> None:
        """Advance time whenever nothing else can run; cancel it when the work is done."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(0)
            if loop._ready or not self._sleepers:  # type: ignore[attr-defined]
                continue  # something can still run at the current time
            deadline = self._sleepers[0][0]
            self._now = max(self._now, deadline)
            self.jumps += 1
            while self._sleepers and self._sleepers[0][0] <= self._now:
                _, _, wake = heapq.heappop(self._sleepers)
                if not wake.done():
                    wake.set_result(None)
