"""Fault injection and the charger's throttle, deterministic from the seed.

Faults are drawn per request before it is handled, so retrying the same request can succeed.
A read changes nothing either way. A write is refused before it acts only by a 503; every
other fault hits it after it acted (the reply is lost: the client must not send it again).
Dropped connections raise `SimulatedConnectionDrop` (an `httpx.RemoteProtocolError`) after
the response started; a `timeout` raises `SimulatedTimeout` (an `httpx.ReadTimeout`)
in-process, which uvicorn turns into a 500 when served (use a real slow answer there).
"""

from __future__ import annotations

import json
import random
from collections import deque
from datetime import datetime, timedelta
from typing import Any

import httpx
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from chargebook.simulator.peblar.config import FAULT_KINDS, PeblarSimConfig
from chargebook.simulator.wallbox.faults import SimulatedConnectionDrop as WallboxDrop


class SimulatedConnectionDrop(WallboxDrop):
    """Raised inside the app to cut the connection after the response has started (the
    Wallbox simulator's drop, so `simulator.serve` keeps uvicorn's log quiet about it)."""


class SimulatedTimeout(httpx.ReadTimeout):
    """Raised inside the app: the charger never answered in time."""


class FaultInjector:
    """Decides, per request, whether and how it fails (one RNG stream from the seed)."""

    def __init__(self, config: PeblarSimConfig) -> None:
        self._rate = config.fault_rate
        self._kinds = tuple(k for k in FAULT_KINDS if k in config.fault_kinds)
        self._methods = frozenset(config.fault_methods)
        self._limit = config.fault_limit
        self._statuses = config.server_error_statuses
        self._rng = random.Random(f"peblar-faults:{config.seed}")
        self.injected: dict[str, int] = {}

    def pick(self, method: str) -> str | None:
        if self._rate <= 0 or not self._kinds or method not in self._methods:
            return None
        if self._limit is not None and sum(self.injected.values()) >= self._limit:
            return None
        roll, choice = self._rng.random(), self._rng.random()
        if roll >= self._rate:
            return None
        kind = self._kinds[int(choice * len(self._kinds))]
        self.injected[kind] = self.injected.get(kind, 0) + 1
        return kind

    def server_error_status(self) -> int:
        return self._statuses[self._rng.randrange(len(self._statuses))]


class Throttle:
    """A rolling minute of requests; over the limit the charger answers 429."""

    def __init__(self, per_minute: int) -> None:
        self._limit = per_minute
        self._times: deque[datetime] = deque()

    def retry_after_s(self, now: datetime) -> int | None:
        """None when the request may go ahead (and counts it), else seconds to wait."""
        if self._limit <= 0:
            return None
        while self._times and now - self._times[0] >= timedelta(minutes=1):
            self._times.popleft()
        if len(self._times) >= self._limit:
            wait = timedelta(minutes=1) - (now - self._times[0])
            return max(1, int(wait.total_seconds() + 0.999))
        self._times.append(now)
        return None


def damaged(payload: Any, kind: str) -> bytes:
    """The payload serialized the way a payload fault damages it."""
    body = json.dumps(payload).encode()
    if kind == "truncated":
        return body[: max(1, len(body) // 2)]
    return b'"unexpected"'  # wrong_type: a JSON string where an object belongs


class DroppedResponse(Response):
    """Sends the headers and part of the body, then cuts the connection."""

    def __init__(self) -> None:
        super().__init__(
            content=json.dumps({"padding": "x" * 512}).encode(), media_type="application/json"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await send(
            {
                "type": "http.response.body",
                "body": self.body[: len(self.body) // 2],
                "more_body": True,
            }
        )
        raise SimulatedConnectionDrop("simulated connection drop")
