"""Transient fault injection, deterministic from the seed, never touching the ground truth.

Faults are drawn before a request is handled, so retrying the same read can succeed. A write
is refused before it acts only by a 503; every other fault hits it after it acted (a 500/502
from the gateway, a dropped connection, a garbled reply), as the real cloud can. Dropped
connections reuse the Wallbox simulator's `DroppedResponse` (the same quiet drop under
uvicorn, the same transport error through `httpx.ASGITransport`).
"""

from __future__ import annotations

import json
import random
from typing import Any

from chargebook.simulator.easee.config import FAULT_KINDS, REFRESH_EXPIRED, SimulatorConfig
from chargebook.simulator.wallbox.faults import DroppedResponse

PAYLOAD_FAULTS = frozenset({"truncated", "wrong_type"})

__all__ = ["PAYLOAD_FAULTS", "DroppedResponse", "FaultInjector", "corrupt"]


class FaultInjector:
    """Decides, per request, whether and how it fails (one RNG stream from the seed)."""

    def __init__(self, config: SimulatorConfig) -> None:
        self._rate = config.fault_rate
        self._kinds = tuple(k for k in FAULT_KINDS if k in config.fault_kinds)
        self._methods = frozenset(config.fault_methods)
        self._limit = config.fault_limit
        self._statuses = config.server_error_statuses
        self._refresh = REFRESH_EXPIRED in config.fault_kinds
        self._rng = random.Random(f"easeesim-faults:{config.seed}")
        self.injected: dict[str, int] = {}

    def _room(self) -> bool:
        return self._limit is None or sum(self.injected.values()) < self._limit

    def pick(self, method: str) -> str | None:
        if self._rate <= 0 or not self._kinds or method not in self._methods or not self._room():
            return None
        roll, choice = self._rng.random(), self._rng.random()
        if roll >= self._rate:
            return None
        kind = self._kinds[int(choice * len(self._kinds))]
        self.injected[kind] = self.injected.get(kind, 0) + 1
        return kind

    def refresh_expired(self) -> bool:
        if self._rate <= 0 or not self._refresh or not self._room():
            return False
        hit = self._rng.random() < self._rate
        if hit:
            self.injected[REFRESH_EXPIRED] = self.injected.get(REFRESH_EXPIRED, 0) + 1
        return hit

    def server_error_status(self) -> int:
        return self._statuses[self._rng.randrange(len(self._statuses))]


def corrupt(payload: Any, kind: str) -> bytes:
    """`payload` serialized and damaged the way `kind` says."""
    body = json.dumps(payload).encode()
    if kind == "truncated":
        return body[: max(1, len(body) // 2)]
    return b'"unexpected"'
