"""An HTTP-level fake of the Wallbox Cloud on httpx.MockTransport, serving recorded payloads.

The client is never patched: it talks HTTP to `FakeCloud.handler`, which checks credentials
and tokens like the real cloud (tokens expire on the injected clock) and serves the JSON
fixtures from tests/fixtures/wallbox. Tests queue one-shot failures with `fail()`.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from chargebook.clock import FixedClock

FIXTURES = Path(__file__).parent.parent / "fixtures" / "wallbox"
EMAIL = "owner@example.com"
PASSWORD = "correct horse battery staple"
URL = "http://wallbox.test"

Reply = httpx.Response | Callable[[httpx.Request], httpx.Response] | Exception


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


class FakeCloud:
    """Sign-in, refresh and data routes with real token checks on a FixedClock."""

    def __init__(self, clock: FixedClock) -> None:
        self.clock = clock
        self.requests: list[httpx.Request] = []
        self.routes: dict[tuple[str, str], Reply] = {}
        self.queued: dict[tuple[str, str], list[Reply]] = {}
        self.access_ttl_s = 900
        self.refresh_ttl_s = 7 * 86400
        self.access: dict[str, int] = {}  # token -> expiry epoch ms
        self.refresh: dict[str, int] = {}
        self.issued = 0
        self.sign_ins = 0
        self.refreshes = 0
        self.revoke_on_refresh = False
        for method, path, name in [
            ("GET", "/v3/chargers/groups", "groups.json"),
            ("GET", "/v2/charger/123456", "charger_data.json"),
            ("GET", "/chargers/status/9988552", "status.json"),
            ("GET", "/chargers/status/42", "status_charging_quirks.json"),
            ("GET", "/chargers/config/9988552", "config.json"),
            ("POST", "/chargers/config/9988552", "config.json"),
            ("GET", "/chargers/42/schedules", "schedules.json"),
            ("PUT", "/v2/charger/123456", "charger_data.json"),
        ]:
            self.on(method, path, httpx.Response(200, json=fixture(name)))
        for path in ("/v3/chargers/123456/remote-action", "/v4/chargers/123456/eco-smart"):
            self.on("POST" if "remote" in path else "PUT", path, httpx.Response(200))

    def on(self, method: str, path: str, reply: Reply) -> None:
        self.routes[(method, path)] = reply

    def fail(self, method: str, path: str, *replies: Reply) -> None:
        """Answer the next calls to (method, path) with `replies`, then normally again."""
        self.queued.setdefault((method, path), []).extend(replies)

    def now_ms(self) -> int:
        return int(self.clock.now().timestamp() * 1000)

    def _issue(self) -> httpx.Response:
        self.issued += 1
        access, refresh = f"access-{self.issued}", f"refresh-{self.issued}"
        self.access[access] = self.now_ms() + self.access_ttl_s * 1000
        self.refresh[refresh] = self.now_ms() + self.refresh_ttl_s * 1000
        body = fixture("signin.json")
        body["data"]["attributes"].update(
            token=access,
            refresh_token=refresh,
            ttl=self.access[access],
            refresh_token_ttl=self.refresh[refresh],
        )
        return httpx.Response(200, json=body)

    def data_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if not r.url.path.startswith("/users/")]

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        key = (request.method, request.url.path)
        if self.queued.get(key):
            reply = self.queued[key].pop(0)
            if isinstance(reply, Exception):
                raise reply
            return reply(request) if callable(reply) else reply
        auth = request.headers.get("Authorization", "")
        if request.url.path == "/users/signin":
            expected = base64.b64encode(f"{EMAIL}:{PASSWORD}".encode()).decode()
            if auth != f"Basic {expected}" or request.headers.get("Partner") != "wallbox":
                return httpx.Response(403, json={"error": True, "status": 403})
            self.sign_ins += 1
            return self._issue()
        if request.url.path == "/users/refresh-token":
            token = auth.removeprefix("Bearer ")
            if self.revoke_on_refresh or self.refresh.get(token, 0) <= self.now_ms():
                return httpx.Response(401, json={"error": True})
            del self.refresh[token]  # rotation: a refresh token works once
            self.refreshes += 1
            return self._issue()
        if self.access.get(auth.removeprefix("Bearer "), 0) <= self.now_ms():
            return httpx.Response(401, json={"error": True})
        reply = self.routes.get(key)
        if reply is None:
            return httpx.Response(404, json={"error": "not found"})
        if isinstance(reply, Exception):
            raise reply
        return reply(request) if callable(reply) else reply
