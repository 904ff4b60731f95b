"""The Wallbox simulator on a FixedClock and the real WallboxClient over ASGITransport."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from chargebook.clock import FixedClock
from chargebook.prices import FilePriceSource
from chargebook.simulator.wallbox import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    SimulatorConfig,
    WallboxSimulator,
)
from chargebook.wallbox import MemoryTokenStore, RequestBudget, WallboxClient
from chargebook.wallbox.control import WallboxControl

from .helpers import QUARTER_FILE, SEED, SIM_URL, IgnoringTransport, local


@pytest.fixture
def night_clock() -> FixedClock:
    return FixedClock(local(16, 20, 0))


@pytest.fixture
def sim(night_clock: FixedClock) -> WallboxSimulator:
    return WallboxSimulator(SimulatorConfig(seed=SEED, days=1), clock=night_clock)


@pytest.fixture
def transport(sim: WallboxSimulator) -> IgnoringTransport:
    return IgnoringTransport(sim)


@pytest.fixture
async def wallbox(
    sim: WallboxSimulator, night_clock: FixedClock, transport: IgnoringTransport
) -> AsyncIterator[WallboxClient]:
    http = httpx.AsyncClient(transport=transport, base_url=SIM_URL)
    client = WallboxClient(
        DEMO_EMAIL,
        DEMO_PASSWORD,
        api_url=SIM_URL,
        auth_url=SIM_URL,
        http_client=http,
        clock=night_clock,
        token_store=MemoryTokenStore(),
        budget=RequestBudget(reads_per_minute=3, writes_per_minute=5, clock=night_clock),
    )
    yield client
    await http.aclose()


@pytest.fixture
def charger(wallbox: WallboxClient) -> WallboxControl:
    return WallboxControl(wallbox)


@pytest.fixture
def prices() -> FilePriceSource:
    return FilePriceSource(QUARTER_FILE)
