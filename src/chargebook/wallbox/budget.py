"""Per-account request budget: Wallbox allows about 3 reads and 5 writes per rolling minute.

The limit is per myWallbox account, not per client object, so every task that talks to the
same account must share one `RequestBudget` (`BudgetRegistry` hands out one per e-mail).
Waiting uses the injected clock, so a `FixedClock` makes throttled tests run instantly.
A budget may be shared by tasks on different event loops in different threads (`serve` runs
the scheduler's syncs on their own loop, commands on the app's): taking a slot is atomic under
a thread lock, and the waiters of each loop queue first come, first served.

Whoever shows progress can `watch` a budget: before every wait a listener is told how long
and why (`BudgetWait`), so a progress bar can say "waiting 40 s for the Wallbox rate limit"
without the budget knowing about screens.
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
from enum import StrEnum

from chargebook.clock import Clock, SystemClock

WINDOW_S = 60.0
_LOGGER = logging.getLogger(__name__)


class RequestKind(StrEnum):
    """Wallbox counts GETs and everything else separately."""

    READ = "read"
    WRITE = "write"


@dataclass(frozen=True, slots=True)
class BudgetWait:
    """A request of the account is about to wait `wait_s` seconds (until `until`, UTC).

    `reason` says why in words for the owner, e.g. "the Wallbox rate limit (3 reads a
    minute)"; `throttled` is True when the server refused a request (429 or a throttling
    403) rather than the budget pacing them ahead of time.
    """

    kind: RequestKind
    wait_s: float
    until: datetime
    reason: str
    throttled: bool = False


BudgetListener = Callable[[BudgetWait], None]


class _RollingWindow:
    """At most `limit` acquisitions in any `WINDOW_S` seconds (a sliding log, exact)."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("a request budget needs a limit of at least 1 per minute")
        self.limit = limit
        self.granted: deque[datetime] = deque()
        self._guard = threading.Lock()  # never held across an await
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    def queue(self) -> asyncio.Lock:
        """The running loop's queue of waiters (an asyncio lock belongs to one loop)."""
        loop = asyncio.get_running_loop()
        with self._guard:
            found = self._queues.get(loop)
            if found is None:
                found = self._queues[loop] = asyncio.Lock()
            return found

    def take(self, now: datetime) -> float:
        """Take a slot at `now` if one is free (0.0); else the seconds until one may be."""
        with self._guard:
            delay_s = self.wait_s(now)
            if delay_s <= 0:
                self.granted.append(now)
            return delay_s

    def wait_s(self, now: datetime) -> float:
        while self.granted and (now - self.granted[0]).total_seconds() >= WINDOW_S:
            self.granted.popleft()
        if len(self.granted) < self.limit:
            return 0.0
        return WINDOW_S - (now - self.granted[0]).total_seconds()


class RequestBudget:
    """Separate read and write buckets for one account, safe to share between tasks.

    Args:
        reads_per_minute: GET requests allowed in any rolling 60 s.
        writes_per_minute: non-GET requests allowed in any rolling 60 s.
        clock: time source; `sleep` on it is used to wait for a free slot.
        unlimited: partner mode: never wait.
    """

    def __init__(
        self,
        *,
        reads_per_minute: int = 3,
        writes_per_minute: int = 5,
        clock: Clock | None = None,
        unlimited: bool = False,
    ) -> None:
        self._clock = clock or SystemClock()
        self.unlimited = unlimited
        self._windows = {
            RequestKind.READ: _RollingWindow(reads_per_minute),
            RequestKind.WRITE: _RollingWindow(writes_per_minute),
        }
        self._listeners: list[BudgetListener] = []
        self._listeners_guard = threading.Lock()

    @classmethod
    def unlimited_budget(cls, clock: Clock | None = None) -> RequestBudget:
        """A budget that never waits (partner accounts, tests of other things)."""
        return cls(clock=clock, unlimited=True)

    def limit(self, kind: RequestKind) -> int | None:
        """Requests of `kind` allowed per rolling minute, or None when unlimited."""
        return None if self.unlimited else self._windows[kind].limit

    async def acquire(self, kind: RequestKind) -> float:
        """Take one slot of `kind`, waiting on the clock until one is free.

        Returns:
            The seconds waited (0.0 when a slot was free).
        """
        if self.unlimited:
            return 0.0
        window = self._windows[kind]
        waited_s = 0.0
        # Holding the lock while sleeping queues the waiters fairly (first come, first served).
        async with window.queue():
            while (delay_s := window.take(self._clock.now())) > 0:
                waited_s += delay_s
                per = "reads" if kind is RequestKind.READ else "writes"
                self.announce_wait(
                    kind, delay_s, f"the Wallbox rate limit ({window.limit} {per} a minute)"
                )
                await self._clock.sleep(delay_s)
        return waited_s

    def watch(self, listener: BudgetListener) -> Callable[[], None]:
        """Tell `listener` about every wait from now on; returns the call that stops it.

        The listener runs in the waiting task's thread, before the wait: it must be quick
        and must not raise (what it raises is logged and ignored).
        """
        with self._listeners_guard:
            self._listeners.append(listener)

        def stop() -> None:
            with self._listeners_guard:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return stop

    def announce_wait(
        self, kind: RequestKind, wait_s: float, reason: str, *, throttled: bool = False
    ) -> None:
        """Tell the listeners that a request of `kind` waits `wait_s` seconds for `reason`
        (the client calls it too when it backs off after the server throttled it)."""
        with self._listeners_guard:
            listeners = list(self._listeners)
        if not listeners:
            return
        until = self._clock.now() + timedelta(seconds=wait_s)
        event = BudgetWait(kind, wait_s, until, reason, throttled)
        for listener in listeners:
            try:
                listener(event)
            except Exception:  # a progress display must never stop a sync
                _LOGGER.exception("a request budget listener failed")

    def __repr__(self) -> str:
        if self.unlimited:
            return "RequestBudget(unlimited)"
        reads = self._windows[RequestKind.READ].limit
        writes = self._windows[RequestKind.WRITE].limit
        return f"RequestBudget(reads_per_minute={reads}, writes_per_minute={writes})"


class BudgetRegistry:
    """One `RequestBudget` per account e-mail, for a process that serves many accounts."""

    def __init__(
        self,
        *,
        reads_per_minute: int = 3,
        writes_per_minute: int = 5,
        clock: Clock | None = None,
        unlimited: bool = False,
    ) -> None:
        self._reads_per_minute = reads_per_minute
        self._writes_per_minute = writes_per_minute
        self._clock = clock
        self._unlimited = unlimited
        self._budgets: dict[str, RequestBudget] = {}
        self._guard = threading.Lock()  # the app's loop and the scheduler's thread ask

    def for_account(self, email: str) -> RequestBudget:
        """The budget shared by every task of the account `email` (case-insensitive)."""
        key = email.strip().lower()
        with self._guard:
            if key not in self._budgets:
                self._budgets[key] = RequestBudget(
                    reads_per_minute=self._reads_per_minute,
                    writes_per_minute=self._writes_per_minute,
                    clock=self._clock,
                    unlimited=self._unlimited,
                )
            return self._budgets[key]
