"""Fixtures for the Wallbox Cloud simulator (served copies: chargebook.simulator.serve)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from chargebook.clock import FixedClock
from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator

from .helpers import make_client, sign_in


@pytest.fixture
def sim(clock: FixedClock) -> WallboxSimulator:
    """Three accounts, no limits (partner mode), no faults."""
    return WallboxSimulator(SimulatorConfig(accounts=3, partner_mode=True), clock=clock)


@pytest.fixture
async def client(sim: WallboxSimulator) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(sim) as http:
        await sign_in(http)
        yield http
