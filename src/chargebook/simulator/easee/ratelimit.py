"""Easee's limits per account (reference §2.2): every data request in a rolling window, and
the history endpoints at 10 calls an hour, then one call every 360 s; an account that keeps
calling after being refused is blocked for 24 hours with Easee's own words."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from typing import NamedTuple

from chargebook.simulator.easee.config import SimulatorConfig

# Verbatim, quoted in Newan/ioBroker.easee#73 (2024-02-05).
BLOCKED_TEXT = (
    "Too many requests from third party system detected. Your IP is temporary blocked for 24 "
    "hours from the last request received. Easee portal and app will work as normal but any "
    "third party integration will fail. Easee does not provide end-user support for third "
    "party integrations."
)


class Refusal(NamedTuple):
    retry_after_s: int
    text: str


class RateLimiter:
    def __init__(self, config: SimulatorConfig) -> None:
        self._config = config
        self._general: dict[str, deque[datetime]] = {}
        self._history: dict[str, deque[datetime]] = {}
        self._last_trickle: dict[str, datetime] = {}
        self._refusals: dict[str, deque[datetime]] = {}
        self._blocked_until: dict[str, datetime] = {}

    def check(self, email: str, history: bool, now: datetime) -> Refusal | None:
        """Record the request and return None, or why it is refused (a 429)."""
        config = self._config
        if config.unlimited:
            return None
        blocked = self._blocked_until.get(email)
        if blocked is not None and now < blocked:
            # "from the last request received": every call while blocked extends the block.
            self._blocked_until[email] = now + timedelta(seconds=config.block_s)
            return Refusal(config.block_s, BLOCKED_TEXT)
        general = self._general.setdefault(email, deque())
        window = timedelta(seconds=config.window_s)
        while general and general[0] <= now - window:
            general.popleft()
        if len(general) >= config.requests_per_window:
            wait = (general[0] + window - now).total_seconds()
            return self._refuse(email, now, max(1, int(wait) + 1), "Too many requests")
        if history:
            refused = self._check_history(email, now)
            if refused is not None:
                return refused
        general.append(now)
        return None

    def _check_history(self, email: str, now: datetime) -> Refusal | None:
        config = self._config
        calls = self._history.setdefault(email, deque())
        hour = timedelta(hours=1)
        while calls and calls[0] <= now - hour:
            calls.popleft()
        if len(calls) < config.history_per_hour:
            calls.append(now)
            return None
        # Over the hourly limit one call every `history_trickle_s` still passes (#558).
        last = self._last_trickle.get(email)
        trickle = timedelta(seconds=config.history_trickle_s)
        if last is None or now - last >= trickle:
            self._last_trickle[email] = now
            calls.append(now)
            return None
        wait = int((last + trickle - now).total_seconds()) + 1
        return self._refuse(email, now, wait, "Too many requests")

    def _refuse(self, email: str, now: datetime, retry_after_s: int, text: str) -> Refusal:
        refusals = self._refusals.setdefault(email, deque())
        while refusals and refusals[0] <= now - timedelta(hours=1):
            refusals.popleft()
        refusals.append(now)
        if len(refusals) >= self._config.block_after_refusals:
            self._blocked_until[email] = now + timedelta(seconds=self._config.block_s)
            return Refusal(self._config.block_s, BLOCKED_TEXT)
        return Refusal(retry_after_s, text)

    def blocked(self, email: str, now: datetime) -> bool:
        until = self._blocked_until.get(email)
        return until is not None and now < until
