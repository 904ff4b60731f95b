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
import logging
import threading
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from chargebook.clock import Clock, SystemClock

REQUESTS_PER_SECOND = 10
WINDOW_S = 1.0
_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ZaptecWait:
    """A request of the account waits `wait_s` seconds (until `until`, UTC) for `reason`;
    `throttled` when Zaptec refused a request (429) rather than the budget pacing it. The
    same fields the progress displays read of the Wallbox budget's `BudgetWait`."""

    wait_s: float
    until: datetime
    reason: str
    throttled: bool = False


WaitListener = Callable[[ZaptecWait], None]


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
        self._listeners: list[WaitListener] = []

    async def acquire(self) -> float:
        """Take one slot, waiting on the clock until one is free; returns the seconds waited."""
        waited = 0.0
        async with self._queue():
            while (delay_s := self._take(self._clock.now())) > 0:
                waited += delay_s
                reason = f"the Zaptec rate limit ({self.per_second} requests a second)"
                self.announce_wait(delay_s, reason)
                await self._clock.sleep(delay_s)
        self.waited_s += waited
        return waited

    def watch(self, listener: WaitListener) -> Callable[[], None]:
        """Tell `listener` about every wait from now on; returns the call that stops it."""
        with self._guard:
            self._listeners.append(listener)

        def stop() -> None:
            with self._guard:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return stop

    def announce_wait(self, wait_s: float, reason: str, *, throttled: bool = False) -> None:
        """Tell the listeners a request waits (the client calls it after a 429 too)."""
        with self._guard:
            listeners = list(self._listeners)
        event = ZaptecWait(wait_s, self._clock.now() + timedelta(seconds=wait_s), reason, throttled)
        for listener in listeners:
            try:
                listener(event)
            except Exception:  # a progress display must never stop a sync
                _LOGGER.exception("a Zaptec budget listener failed")

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
