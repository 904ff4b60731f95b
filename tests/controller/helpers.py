"""Helpers of the controller tests: the simulated night, a transport that makes the charger
ignore chosen writes (accepted, logged, no effect), and write-budget checks."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from chargebook.domain.prices import ChargerLimits
from chargebook.simulator.wallbox import (
    DEMO_EMAIL,
    RequestRecord,
    WallboxSimulator,
)

AMS = ZoneInfo("Europe/Amsterdam")
SIM_URL = "http://wallbox.test"
PRICES = Path(__file__).parent.parent / "fixtures" / "prices"
QUARTER_FILE = PRICES / "energyzero-rest-quarter-2025-12-16_18.json"
# Seed 1, demo account: a Copper SB (16 A, 3 phases) whose car arrives 16 Dec 20:34 local,
# leaves 17 Dec 07:01, wants 16.5 kWh and draws 6.72 kW (found by listing the seed's plan).
SEED = 1
CHARGER = 2595103
LIMITS = ChargerLimits(max_current_a=16, phases=3)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 12, day, hour, minute, tzinfo=AMS)


class IgnoringTransport(httpx.AsyncBaseTransport):
    """Forwards to the simulator; a write matching `rule` is accepted and logged there but
    its effect is undone at once, like firmware that acknowledges and ignores a command."""

    def __init__(self, sim: WallboxSimulator) -> None:
        self._sim = sim
        self._inner = httpx.ASGITransport(app=sim.app)
        self.rule: Callable[[httpx.Request], bool] = lambda _: False
        self.ignore_left = 0
        self.ignored = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        ignore = self.ignore_left > 0 and request.method != "GET" and self.rule(request)
        state = self._sim.state(CHARGER)
        before = state.controls_at(self._sim.clock.now())
        response = await self._inner.handle_async_request(request)
        if ignore and response.status_code < 300:
            self.ignore_left -= 1
            self.ignored += 1
            fields = {f.name: getattr(before, f.name) for f in dataclasses.fields(before)}
            state.change(self._sim.clock.now(), **fields)
        return response


def remote_action(action: int) -> Callable[[httpx.Request], bool]:
    def rule(request: httpx.Request) -> bool:
        if not request.url.path.endswith("/remote-action"):
            return False
        return bool(json.loads(request.content).get("action") == action)

    return rule


def writes(sim: WallboxSimulator) -> list[RequestRecord]:
    """Accepted data writes of the demo account (sign-in and refresh are logged as GET)."""
    return [r for r in sim.request_log[DEMO_EMAIL] if r.method != "GET" and 200 <= r.status < 300]


def max_writes_per_minute(sim: WallboxSimulator) -> int:
    """The most non-GET requests (any status) in any rolling 60 s window."""
    times = [r.time for r in sim.request_log[DEMO_EMAIL] if r.method != "GET"]
    return max(
        (sum(1 for u in times if t - timedelta(seconds=60) < u <= t) for t in times), default=0
    )
