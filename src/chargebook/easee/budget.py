"""Per-account request budget for the Easee Cloud: conservative, because Easee blocks the IP
of a third-party integration that polls too much for 24 hours (reference §2.2).

Three rolling windows, one per kind of request, each also counted in the general one:
- every request: 120 in any 300 s (pyeasee allows itself 500; a quarter of that, on purpose);
- history (`sessions/charger/.../sessions/{from}/{to}` and the totals): 10 an hour, the
  server's own limit for those endpoints (easee_hass#558);
- writes (commands, settings): 12 a minute (pyeasee's limit-setting throttle).

Waiting uses the injected clock (a `FixedClock` makes tests instant). A wait longer than
`max_wait_s` is not waited out: `acquire` raises `ApiRateLimitedError` with the time to come
back, so a scheduler tries later instead of a request hanging for an hour. After the server
itself refused a request (429), `throttled` holds every request of the account until its
`retry-after` has passed: knocking again is what gets an IP blocked.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta
from enum import StrEnum

from chargebook.clock import Clock
from chargebook.errors import ApiRateLimitedError

BRAND = "Easee"


class RequestKind(StrEnum):
    READ = "read"
    HISTORY = "history"
    WRITE = "write"


class _Window:
    def __init__(self, limit: int, seconds: float) -> None:
        if limit < 1 or seconds <= 0:
            raise ValueError("a budget window needs a positive limit and length")
        self.limit = limit
        self.length = timedelta(seconds=seconds)
        self.granted: deque[datetime] = deque()

    def wait_s(self, now: datetime) -> float:
        while self.granted and now - self.granted[0] >= self.length:
            self.granted.popleft()
        if len(self.granted) < self.limit:
            return 0.0
        return (self.granted[0] + self.length - now).total_seconds()


class EaseeBudget:
    """The request budget of one Easee account, shared by every client of that account."""

    def __init__(
        self,
        clock: Clock,
        *,
        requests_per_window: int = 120,
        window_s: float = 300.0,
        history_per_hour: int = 10,
        writes_per_minute: int = 12,
        max_wait_s: float = 60.0,
    ) -> None:
        self._clock = clock
        self._general = _Window(requests_per_window, window_s)
        self._kinds = {
            RequestKind.HISTORY: _Window(history_per_hour, 3600.0),
            RequestKind.WRITE: _Window(writes_per_minute, 60.0),
        }
        self.max_wait_s = max_wait_s
        self._blocked_until: datetime | None = None
        self._guard = threading.Lock()  # the app's loop and the scheduler's thread share it
        self.waited_s = 0.0

    def _take(self, kind: RequestKind, now: datetime) -> float:
        with self._guard:
            if self._blocked_until is not None and now < self._blocked_until:
                raise ApiRateLimitedError(
                    "Easee asked chargebook to slow down; waiting before asking again",
                    brand=BRAND,
                    retry_after_s=(self._blocked_until - now).total_seconds(),
                )
            windows = [self._general]
            if kind in self._kinds:
                windows.append(self._kinds[kind])
            wait = max(w.wait_s(now) for w in windows)
            if wait <= 0:
                for window in windows:
                    window.granted.append(now)
            return wait

    async def acquire(self, kind: RequestKind) -> None:
        """Take one slot of `kind`, waiting on the clock up to `max_wait_s`.

        Raises:
            ApiRateLimitedError: the wait would be longer, or the server throttled us.
        """
        while (wait := self._take(kind, self._clock.now())) > 0:
            if wait > self.max_wait_s:
                what = "history reads" if kind is RequestKind.HISTORY else "requests"
                raise ApiRateLimitedError(
                    f"chargebook's Easee budget for {what} is spent for now (Easee blocks "
                    f"integrations that ask too often); next slot in {wait:.0f} s",
                    brand=BRAND,
                    retry_after_s=wait,
                )
            self.waited_s += wait
            await self._clock.sleep(wait)

    def throttled(self, retry_after_s: float | None) -> None:
        """The server answered 429: hold every request until `retry_after_s` has passed
        (an hour when it did not say, the history endpoints' window)."""
        hold = timedelta(seconds=retry_after_s if retry_after_s is not None else 3600.0)
        with self._guard:
            until = self._clock.now() + hold
            if self._blocked_until is None or until > self._blocked_until:
                self._blocked_until = until

    def __repr__(self) -> str:
        history = self._kinds[RequestKind.HISTORY].limit
        return (
            f"EaseeBudget(requests={self._general.limit}/{self._general.length.seconds}s, "
            f"history={history}/h)"
        )
