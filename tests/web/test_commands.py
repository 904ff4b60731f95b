"""Charger commands over the API, through the real Wallbox client to the Wallbox simulator
(stored account credentials, tokens in the book), plus the service's checks and ports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from chargebook.account_sources import connect_account
from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database, UserRepository
from chargebook.db.core.testing import example_charger
from chargebook.domain.models import ChargerSource
from chargebook.settings import Settings
from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator
from chargebook.wallbox import WallboxClient
from chargebook.wallbox.tokens import MemoryTokenStore

from .helpers import Actor, client_for, context_of, make_app, sign_in

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"


@dataclass
class CloudWorld:
    app: FastAPI
    simulator: WallboxSimulator
    owner: Actor
    charger_id: int  # book id
    external_id: int


@pytest.fixture
async def cloud(
    web_settings: Settings, sqlite_database: Database, clock: FixedClock
) -> AsyncIterator[CloudWorld]:
    simulator = WallboxSimulator(
        SimulatorConfig(seed=3, accounts=1, chargers_per_account=1, days=2), clock=clock
    )
    transport = httpx.ASGITransport(app=simulator.app)
    app = make_app(web_settings, sqlite_database, clock, wallbox_transport=transport)
    context = context_of(app)
    async with app.router.lifespan_context(app):
        account = await connect_account(
            web_settings, sqlite_database, context.box, clock,
            email=DEMO_EMAIL, password=DEMO_PASSWORD, transport=transport,
        )  # fmt: skip
        async with httpx.AsyncClient(transport=transport) as http:
            client = WallboxClient.from_settings(
                web_settings, email=DEMO_EMAIL, password=DEMO_PASSWORD, http_client=http,
                clock=clock, token_store=MemoryTokenStore(),
            )  # fmt: skip
            chargers = await client.list_chargers()
        with sqlite_database.transaction() as session:
            stored = ChargerRepository(session, clock).upsert(
                chargers[0], account_id=account.id, owner_user_id=account.owner_user_id
            )
            user = UserRepository(session, clock).get(account.owner_user_id)
        owner = Actor("owner", user, client_for(app))
        sign_in(app, owner)
        yield CloudWorld(app, simulator, owner, stored.id, int(chargers[0].external_id))
        await owner.client.aclose()


async def _send(world: CloudWorld, command: str, body: object = None) -> httpx.Response:
    return await world.owner.client.post(
        f"/api/v1/chargers/{world.charger_id}/commands/{command}",
        json=body,
        headers=world.owner.bearer(),
    )


async def test_lock_unlock_current_and_price_reach_the_cloud(cloud: CloudWorld) -> None:
    state = cloud.simulator.state(cloud.external_id)
    now = cloud.simulator.clock.now

    response = await _send(cloud, "lock")
    assert response.status_code == 200, response.text
    assert response.json() == {"charger_id": cloud.charger_id, "command": "lock", "sent": True}
    assert state.controls_at(now()).locked is True

    assert (await _send(cloud, "unlock")).status_code == 200
    assert state.controls_at(now()).locked is False

    assert (await _send(cloud, "current", {"current_a": 10})).status_code == 200
    assert state.controls_at(now()).current_a == 10

    assert (await _send(cloud, "energy-price", {"price_per_kwh": "0.25"})).status_code == 200
    assert state.controls_at(now()).energy_price == pytest.approx(0.25)


async def test_out_of_range_arguments_are_422_and_nothing_is_sent(cloud: CloudWorld) -> None:
    before = len(cloud.simulator.request_log.get(DEMO_EMAIL, []))
    cases = [
        ("current", {"current_a": 2}),
        ("current", None),
        ("energy-price", {"price_per_kwh": "-1"}),
        ("energy-price", None),
    ]
    for command, body in cases:
        response = await _send(cloud, command, body)
        assert response.status_code == 422, (command, body, response.text)
        assert set(response.json()) == {"error", "detail"}
    assert len(cloud.simulator.request_log.get(DEMO_EMAIL, [])) == before


async def test_write_budget_is_shared_per_account(cloud: CloudWorld) -> None:
    # Wallbox allows 5 writes a minute per account; the sixth waits for the budget, which a
    # FixedClock turns into simulated time passing instead of a real wait.
    clock = cloud.simulator.clock
    assert isinstance(clock, FixedClock)
    start = clock.now()
    for _ in range(6):
        assert (await _send(cloud, "lock")).status_code == 200
    assert clock.now() - start >= timedelta(seconds=1)


async def test_ocpp_chargers_without_a_running_central_system_are_409(cloud: CloudWorld) -> None:
    context = context_of(cloud.app)
    with context.database.transaction() as session:
        assert cloud.owner.user is not None
        stored = ChargerRepository(session, context.clock).upsert(
            example_charger("CP-9", source=ChargerSource.OCPP), owner_user_id=cloud.owner.user.id
        )
    response = await cloud.owner.client.post(
        f"/api/v1/chargers/{stored.id}/commands/pause", headers=cloud.owner.bearer()
    )
    assert response.status_code == 409
    assert response.json()["error"] == "ControlNotSupportedError"
