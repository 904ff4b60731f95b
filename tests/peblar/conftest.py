"""Fixtures: a Peblar simulator on a fixed clock and chargebook's client on it in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from chargebook.clock import FixedClock
from chargebook.domain.brands import BrandLogin, MemoryTokenKeeper
from chargebook.domain.models import ChargerSource
from chargebook.peblar import CONNECTOR, PeblarClient
from chargebook.simulator.peblar import PeblarSimConfig, PeblarSimulator

START = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
BASE_URL = "http://peblar.test"
Opener = Callable[..., PeblarClient]  # the `open_client` fixture


def charging_now(sim: PeblarSimulator, clock: FixedClock) -> None:
    """Move the clock ten minutes into the log's last session: a car charges."""
    clock.set(sim.log.started(clock.now())[-1].plugged_at + timedelta(minutes=10))


@pytest.fixture
def peblar_clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def make_sim(peblar_clock: FixedClock) -> Callable[..., PeblarSimulator]:
    def make(**options: Any) -> PeblarSimulator:
        options.setdefault("seed", 3)
        options.setdefault("days", 20)
        return PeblarSimulator(PeblarSimConfig(**options), clock=peblar_clock)

    return make


@pytest.fixture
def sim(make_sim: Callable[..., PeblarSimulator], peblar_clock: FixedClock) -> PeblarSimulator:
    simulator = make_sim()
    charging_now(simulator, peblar_clock)
    return simulator


@pytest.fixture
async def open_client(sim: PeblarSimulator, peblar_clock: FixedClock) -> AsyncIterator[Opener]:
    """`open_client(token=..., web_password=..., simulator=...)`: a client on the simulator."""
    opened: list[PeblarClient] = []

    def open_(
        *,
        token: str | None = None,
        web_password: str | None = "demo-password",
        simulator: PeblarSimulator | None = None,
        tokens: MemoryTokenKeeper | None = None,
    ) -> PeblarClient:
        target = simulator or sim
        client = CONNECTOR.open_client(
            BrandLogin(ChargerSource.PEBLAR_LOCAL, "peblar.test", web_password or ""),
            base_url=BASE_URL,
            transport=httpx.ASGITransport(app=target.app),
            clock=peblar_clock,
            tokens=tokens or MemoryTokenKeeper(),
            budget=CONNECTOR.new_budget(peblar_clock),
            api_token=token or target.api_token,
        )
        opened.append(client)
        return client

    yield open_
    for client in opened:
        await client.aclose()
