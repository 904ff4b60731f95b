"""The Easee client against the simulator, in-process through `httpx.ASGITransport`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from chargebook.clock import FixedClock
from chargebook.domain.brands import BrandLogin, MemoryTokenKeeper
from chargebook.domain.models import ChargerSource
from chargebook.easee import CONNECTOR, EaseeBudget, EaseeClient
from chargebook.simulator.easee import DEMO_EMAIL, DEMO_PASSWORD, EaseeSimulator, SimulatorConfig

SIM_URL = "http://easee.test"
ClientFactory = Callable[..., EaseeClient]


@pytest.fixture
def sim(clock: FixedClock) -> EaseeSimulator:
    """Two accounts, no faults, the real limits."""
    return EaseeSimulator(SimulatorConfig(accounts=2), clock=FixedClock(clock.now()))


@pytest.fixture
async def make_client(clock: FixedClock) -> AsyncIterator[ClientFactory]:
    """Clients of a simulator (default: the demo account), closed after the test."""
    opened: list[EaseeClient] = []

    def make(
        sim: EaseeSimulator,
        *,
        email: str = DEMO_EMAIL,
        password: str = DEMO_PASSWORD,
        keeper: MemoryTokenKeeper | None = None,
        budget: EaseeBudget | None = None,
        transport: Any = None,
    ) -> EaseeClient:
        client = CONNECTOR.open_client(
            BrandLogin(ChargerSource.EASEE_CLOUD, email, password),
            base_url=SIM_URL,
            transport=transport or httpx.ASGITransport(app=sim.app),
            clock=clock,
            tokens=keeper or MemoryTokenKeeper(),
            budget=budget or CONNECTOR.new_budget(clock),
        )
        opened.append(client)
        return client

    yield make
    for client in opened:
        await client.aclose()
