"""Per-account rolling-window request budgets (reference §5.1: 3 GET and 5 non-GET a minute)."""

from __future__ import annotations

import random
from collections import defaultdict, deque
from datetime import datetime, timedelta

WINDOW = timedelta(seconds=60)


class RateLimiter:
    """Counts accepted data requests per account and kind in a rolling 60 s window.

    Rejected requests are not counted, so a client that waits out the window gets through.
    Over budget a GET is answered 429, or 403 with probability `throttle_403_rate` (Wallbox
    also throttles reads with 403); a write is always answered 429, so a 403 on a write always
    means insufficient rights.
    """

    def __init__(self, reads: int, writes: int, throttle_403_rate: float, seed: int) -> None:
        self._limits = {"read": reads, "write": writes}
        self._throttle_403_rate = throttle_403_rate
        self._rng = random.Random(f"wbsim-throttle:{seed}")
        self._seen: dict[tuple[str, str], deque[datetime]] = defaultdict(deque)

    def check(self, email: str, method: str, now: datetime) -> int | None:
        """Record the request and return None, or the status to refuse it with (429/403)."""
        kind = "read" if method.upper() in ("GET", "HEAD") else "write"
        seen = self._seen[(email.lower(), kind)]
        while seen and seen[0] <= now - WINDOW:
            seen.popleft()
        if len(seen) >= self._limits[kind]:
            if kind == "read" and self._rng.random() < self._throttle_403_rate:
                return 403
            return 429
        seen.append(now)
        return None
