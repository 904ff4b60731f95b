"""The Zaptec client against the Zaptec simulator, in-process (httpx.ASGITransport)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from chargebook.clock import Clock, FixedClock
from chargebook.domain.brands import BrandLogin, MemoryTokenKeeper, TokenKeeper
from chargebook.domain.models import ChargerSource
from chargebook.simulator.zaptec import DEMO_EMAIL, DEMO_PASSWORD, ZaptecSimConfig, ZaptecSimulator
from chargebook.zaptec import CONNECTOR, ZaptecBudget, ZaptecClient

SIM_URL = "http://zaptec.test"
START = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)


def simulator(clock: Clock | None = None, **config: object) -> ZaptecSimulator:
    return ZaptecSimulator(ZaptecSimConfig(**config), clock=clock or FixedClock(START))  # type: ignore[arg-type]


def client(
    sim: ZaptecSimulator,
    clock: Clock,
    *,
    email: str = DEMO_EMAIL,
    password: str = DEMO_PASSWORD,
    tokens: TokenKeeper | None = None,
    budget: ZaptecBudget | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> ZaptecClient:
    return CONNECTOR.open_client(
        BrandLogin(ChargerSource.ZAPTEC_CLOUD, email, password),
        base_url=SIM_URL,
        transport=transport or httpx.ASGITransport(app=sim.app),
        clock=clock,
        tokens=tokens if tokens is not None else MemoryTokenKeeper(),
        budget=budget if budget is not None else CONNECTOR.new_budget(clock),
    )


def statuses(sim: ZaptecSimulator, email: str = DEMO_EMAIL) -> list[int]:
    return [record.status for record in sim.request_log[email]]
