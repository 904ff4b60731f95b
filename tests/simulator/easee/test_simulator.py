"""The Easee simulator itself: its payloads have the key sets of the real recordings, its
auth, limits and IP block behave as reference §2 says, and a seed gives one world."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from chargebook.clock import FixedClock
from chargebook.simulator.easee import (
    BLOCKED_TEXT,
    DEMO_EMAIL,
    DEMO_PASSWORD,
    EaseeSimulator,
    SimulatorConfig,
)
from easee import recorded  # tests/easee/recorded.py (the tests folder is on sys.path)

URL = "http://easee.test"


@pytest.fixture
def sim(clock: FixedClock) -> EaseeSimulator:
    return EaseeSimulator(SimulatorConfig(short_item_rate=0.5, token_ttl_s=7 * 86400), clock=clock)


async def _signed_in(sim: EaseeSimulator) -> httpx.AsyncClient:
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app), base_url=URL)
    login = {"userName": DEMO_EMAIL, "password": DEMO_PASSWORD}
    tokens = (await http.post("/api/accounts/login", json=login)).json()
    http.headers["Authorization"] = f"Bearer {tokens['accessToken']}"
    return http


@pytest.fixture
async def http(sim: EaseeSimulator) -> AsyncIterator[httpx.AsyncClient]:
    client = await _signed_in(sim)
    yield client
    await client.aclose()


async def test_payloads_have_the_recorded_key_sets(
    sim: EaseeSimulator, http: httpx.AsyncClient, clock: FixedClock
) -> None:
    charger_id = sim.accounts[0].charger_ids[0]
    [item, _] = (await http.get("/api/chargers")).json()
    assert set(item) == set(recorded.CHARGERS[0])
    state = (await http.get(f"/api/chargers/{charger_id}/state")).json()
    assert set(state) == set(recorded.CHARGER_STATE) | {"lifetimeEnergy"}  # evcc reads it too
    config = (await http.get(f"/api/chargers/{charger_id}/config")).json()
    assert set(config) == set(recorded.SITE_CHARGER_CONFIG)
    start, end = (clock.now() - timedelta(days=30)).date(), clock.now().date()
    items = (await http.get(f"/api/sessions/charger/{charger_id}/sessions/{start}/{end}")).json()
    shapes = {frozenset(i) for i in items}
    assert shapes == {frozenset(recorded.HISTORY_2024[0]), frozenset(recorded.HISTORY_2024[1])}
    clock.set(sim.next_session(charger_id).start + timedelta(minutes=5))
    ongoing = (await http.get(f"/api/chargers/{charger_id}/sessions/ongoing")).json()
    assert set(ongoing) == set(recorded.ONGOING_193)
    clock.advance(timedelta(days=1))
    gone = await http.get(f"/api/chargers/{charger_id}/sessions/ongoing")
    assert (gone.status_code, gone.content) == (204, b"")


async def test_tokens_and_the_recorded_refresh_refusal(
    sim: EaseeSimulator, clock: FixedClock
) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app), base_url=URL) as http:
        login = {"userName": DEMO_EMAIL, "password": DEMO_PASSWORD}
        tokens = (await http.post("/api/accounts/login", json=login)).json()
        assert set(tokens) == set(recorded.TOKEN)
        assert tokens["expiresIn"] == 7 * 86400.0
        bad = await http.post("/api/accounts/login", json={**login, "password": "x"})
        assert bad.status_code == 400
        pair = {"accessToken": tokens["accessToken"], "refreshToken": tokens["refreshToken"]}
        fresh = await http.post("/api/accounts/refresh_token", json=pair)
        assert fresh.status_code == 200
        again = await http.post("/api/accounts/refresh_token", json=pair)  # used once
        assert (again.status_code, again.json()) == (401, recorded.REFRESH_EXPIRED)
        old = await http.get(
            "/api/chargers", headers={"Authorization": f"Bearer {tokens['accessToken']}"}
        )
        assert old.status_code == 401
        clock.advance(timedelta(days=7))
        expired = await http.get(
            "/api/chargers", headers={"Authorization": f"Bearer {fresh.json()['accessToken']}"}
        )
        assert expired.status_code == 401


async def test_history_limit_trickle_and_the_ip_block(clock: FixedClock) -> None:
    sim = EaseeSimulator(
        SimulatorConfig(block_after_refusals=3, token_ttl_s=7 * 86400), clock=clock
    )
    http = await _signed_in(sim)
    charger_id = sim.accounts[0].charger_ids[0]
    path = f"/api/sessions/charger/{charger_id}/sessions/2026-03-01/2026-03-10"
    statuses = [(await http.get(path)).status_code for _ in range(11)]
    assert statuses == [200] * 11  # ten an hour, then one every 360 s
    refused = await http.get(path)
    assert (refused.status_code, refused.headers["retry-after"]) == (429, "361")
    clock.advance(timedelta(seconds=361))
    assert (await http.get(path)).status_code == 200  # the trickle again
    for _ in range(2):  # knocking on after being refused
        await http.get(path)
    blocked = await http.get("/api/chargers")
    assert blocked.status_code == 429
    assert blocked.text == BLOCKED_TEXT
    clock.advance(timedelta(hours=23))
    assert (await http.get("/api/chargers")).status_code == 429  # the block runs from the last
    assert sim.limiter.blocked(DEMO_EMAIL, clock.now() + timedelta(hours=23))
    await http.aclose()


def test_a_seed_gives_one_world(clock: FixedClock) -> None:
    def world(seed: int) -> list[Any]:
        sim = EaseeSimulator(SimulatorConfig(seed=seed, accounts=2), clock=FixedClock(clock.now()))
        return [
            (cid, sim.ground_truth_sessions(cid)) for a in sim.accounts for cid in a.charger_ids
        ]

    assert world(3) == world(3)
    assert world(3) != world(4)


def test_the_lifetime_meter_counts_every_session(sim: EaseeSimulator, clock: FixedClock) -> None:
    charger_id = sim.accounts[0].charger_ids[1]
    state = sim.state(charger_id)
    session = sim.next_session(charger_id)
    before = state.lifetime_kwh(session.start)  # the session before had ended by then
    clock.set(session.end)
    energy = state.outcome(session, session.end).energy_kwh
    assert state.lifetime_kwh(clock.now()) == pytest.approx(before + energy)
    assert energy == pytest.approx(session.demand_kwh)  # nothing limited it


def test_command_ticks_are_dotnet_ticks_as_easee_sends_them(clock: FixedClock) -> None:
    # evcc-io/evcc#15556 (https://github.com/evcc-io/evcc/issues/15556), an evcc trace:
    # "CommandResponse ... Timestamp:2024-08-19 16:30:24.217903 +0000 UTC ...
    # Ticks:638596818242179030"
    clock.set(datetime(2024, 8, 19, 16, 30, 24, 217903, tzinfo=UTC))
    sim = EaseeSimulator(SimulatorConfig(), clock=clock)
    reply = sim.command_reply("EH123456")
    assert reply["ticks"] == 638596818242179030
    assert set(reply) == {"device", "commandId", "ticks"}
