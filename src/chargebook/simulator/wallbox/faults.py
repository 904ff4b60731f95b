"""Transient fault injection: deterministic from the seed, never touching the ground truth.

Faults are chosen before a request is handled, so retrying the same request can succeed. A
read changes nothing either way. A write is refused before it acts only by a 503 (the
service was not available); every other fault hits it the way the real cloud can, after it
acted: a 500/502 from the gateway, a dropped connection, a garbled reply.

Dropped connections start a response and then raise `SimulatedConnectionDrop`, an
`httpx.RemoteProtocolError`: served by uvicorn the socket is cut mid-body (the client sees an
incomplete read), and in-process through `httpx.ASGITransport` the exception reaches the
client as the same transport error.
"""

from __future__ import annotations

import json
import random
from typing import Any

import httpx
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from chargebook.simulator.wallbox.config import FAULT_KINDS, REVOKED_REFRESH, SimulatorConfig

PAYLOAD_FAULTS = frozenset({"truncated", "missing_key", "wrong_type"})


class SimulatedConnectionDrop(httpx.RemoteProtocolError):
    """Raised inside the app to cut the connection after the response has started."""


class FaultInjector:
    """Decides, per request, whether and how it fails (one RNG stream from the seed)."""

    def __init__(self, config: SimulatorConfig) -> None:
        self._rate = config.fault_rate
        self._kinds = tuple(k for k in FAULT_KINDS if k in config.fault_kinds)
        self._methods = frozenset(config.fault_methods)
        self._limit = config.fault_limit
        self._statuses = config.server_error_statuses
        self._revoke = REVOKED_REFRESH in config.fault_kinds
        self._rng = random.Random(f"wbsim-faults:{config.seed}")
        self.injected: dict[str, int] = {}

    def pick(self, method: str, is_page_after_first: bool) -> str | None:
        """The fault for a data request, or None."""
        if self._rate <= 0 or not self._kinds or method not in self._methods:
            return None
        if self._limit is not None and sum(self.injected.values()) >= self._limit:
            return None
        roll, choice = self._rng.random(), self._rng.random()
        if roll >= self._rate:
            return None
        kinds = [k for k in self._kinds if k != "duplicate" or is_page_after_first]
        if not kinds:
            return None
        kind = kinds[int(choice * len(kinds))]
        self.injected[kind] = self.injected.get(kind, 0) + 1
        return kind

    def revoke_on_refresh(self) -> bool:
        """True when this refresh should find its token revoked."""
        if self._rate <= 0 or not self._revoke:
            return False
        hit = self._rng.random() < self._rate
        if hit:
            self.injected[REVOKED_REFRESH] = self.injected.get(REVOKED_REFRESH, 0) + 1
        return hit

    def server_error_status(self) -> int:
        return self._statuses[self._rng.randrange(len(self._statuses))]


def corrupt(payload: Any, kind: str, envelope_key: str) -> bytes:
    """Serialize `payload` damaged the way `kind` says (payload faults only).

    `envelope_key` is the top-level key the endpoint's readers depend on (`data`, `result`,
    `config_data`, ...); it goes missing or gets the wrong type.
    """
    if kind == "truncated":
        body = json.dumps(payload).encode()
        return body[: max(1, len(body) // 2)]
    if isinstance(payload, dict) and envelope_key in payload:
        key = envelope_key
        damaged = dict(payload)
        if kind == "missing_key":
            del damaged[key]
        else:  # wrong_type: the envelope value becomes a string (lists and objects alike)
            damaged[key] = "unexpected"
        return json.dumps(damaged).encode()
    return b'"unexpected"'


class DroppedResponse(Response):
    """Sends the headers and part of the body, then cuts the connection."""

    def __init__(self) -> None:
        filler = {"data": {"type": "filler", "attributes": {"padding": "x" * 512}}}
        super().__init__(content=json.dumps(filler).encode(), media_type="application/json")

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
