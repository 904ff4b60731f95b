"""Transient faults: each kind is observable, a retry can succeed, the ground truth holds."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import httpx
import pytest

from chargebook.clock import FixedClock
from chargebook.simulator.serve import ServedApp
from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator

from .helpers import make_client, sign_in


def _sim(clock: FixedClock, kind: str, rate: float = 1.0, **extra: object) -> WallboxSimulator:
    config = SimulatorConfig(partner_mode=True, fault_rate=rate, fault_kinds=(kind,), **extra)  # type: ignore[arg-type]
    return WallboxSimulator(config, clock=clock)


async def test_server_errors_then_a_retry_succeeds_with_the_same_answer(clock: FixedClock) -> None:
    clean = WallboxSimulator(SimulatorConfig(partner_mode=True), clock=clock)
    flaky = _sim(clock, "server_error", rate=0.5)
    plus = clean.accounts[0].charger_ids[0]
    async with make_client(clean) as good:
        await sign_in(good)
        expected = (await good.get(f"/chargers/status/{plus}")).json()
    statuses = []
    async with make_client(flaky) as http:
        await sign_in(http)
        for _ in range(40):
            response = await http.get(f"/chargers/status/{plus}")
            statuses.append(response.status_code)
            if response.status_code == 200:
                assert response.json() == expected
    assert set(statuses) == {200, 500, 502, 503}


@pytest.mark.parametrize(("status", "acted"), [(503, False), (500, True), (502, True)])
async def test_a_503_refuses_a_write_before_it_acts_other_faults_strike_after(
    clock: FixedClock, status: int, acted: bool
) -> None:
    # The real cloud's 503 means the service did nothing; a 500/502 can come from a gateway
    # after the write acted. The simulator models both, so clients meet the hard case.
    sim = _sim(clock, "server_error", server_error_statuses=(status,))
    plus = sim.accounts[0].charger_ids[0]
    async with make_client(sim) as http:
        await sign_in(http)
        response = await http.put(f"/v2/charger/{plus}", json={"locked": 1})
    assert response.status_code == status
    assert sim.view(plus).controls.locked is acted
    assert len(sim.applied_writes) == int(acted)


@pytest.mark.parametrize("kind", ["drop", "truncated", "missing_key", "wrong_type"])
async def test_a_write_acts_before_its_reply_is_cut_or_garbled(
    clock: FixedClock, kind: str
) -> None:
    sim = _sim(clock, kind)
    plus = sim.accounts[0].charger_ids[0]
    async with make_client(sim) as http:
        await sign_in(http)
        try:
            response = await http.put(f"/v2/charger/{plus}", json={"locked": 1})
            body = response.content
        except httpx.TransportError:
            body = b""
    assert sim.view(plus).controls.locked is True
    assert sim.applied_writes == [("PUT", f"/v2/charger/{plus}")]
    with pytest.raises((ValueError, KeyError, TypeError)):
        json.loads(body)["data"]["chargerData"]["locked"]


async def test_slow_answers_and_latency_are_real_time(clock: FixedClock) -> None:
    sim = _sim(clock, "slow", slow_answer_s=0.3, latency_ms=100)
    async with make_client(sim) as http:
        started = time.monotonic()
        await sign_in(http)  # latency only
        assert time.monotonic() - started >= 0.1
        started = time.monotonic()
        response = await http.get("/v3/chargers/groups")
        assert time.monotonic() - started >= 0.4
    assert response.status_code == 200
    assert "result" in response.json()
    assert clock.slept_seconds == 0  # the injected clock does not move


async def test_drop_in_process_is_an_httpx_transport_error(clock: FixedClock) -> None:
    sim = _sim(clock, "drop")
    async with make_client(sim) as http:
        await sign_in(http)
        with pytest.raises(httpx.TransportError):
            await http.get("/v3/chargers/groups")
    assert sim.request_log["demo@example.com"][-1].status == 0


def test_drop_over_a_real_socket_then_retry_succeeds(clock: FixedClock) -> None:
    sim = _sim(clock, "drop", rate=0.5)
    outcomes: list[str] = []
    with ServedApp(sim.app) as served, httpx.Client(base_url=served.url) as http:
        auth = http.get(
            "/users/signin",
            auth=("demo@example.com", "demo-password"),
            headers={"Partner": "wallbox"},
        ).json()["data"]["attributes"]
        http.headers["Authorization"] = f"Bearer {auth['token']}"
        for _ in range(16):
            try:
                response = http.get("/v3/chargers/groups")
                assert response.json()["result"]["groups"]
                outcomes.append("ok")
            except (httpx.RemoteProtocolError, httpx.ReadError):
                outcomes.append("dropped")
    assert set(outcomes) == {"ok", "dropped"}


@pytest.mark.parametrize(
    ("kind", "check"),
    [
        ("truncated", "invalid_json"),
        ("missing_key", "no_result"),
        ("wrong_type", "result_is_string"),
    ],
)
async def test_malformed_payloads(clock: FixedClock, kind: str, check: str) -> None:
    sim = _sim(clock, kind)
    async with make_client(sim) as http:
        await sign_in(http)
        response = await http.get("/v3/chargers/groups")
    assert response.status_code == 200
    if check == "invalid_json":
        with pytest.raises(json.JSONDecodeError):
            json.loads(response.content)
    elif check == "no_result":
        assert "result" not in response.json()
    else:
        assert isinstance(response.json()["result"], str)


async def test_status_envelope_faults_hit_config_data(clock: FixedClock) -> None:
    sim = _sim(clock, "missing_key")
    plus = sim.accounts[0].charger_ids[0]
    async with make_client(sim) as http:
        await sign_in(http)
        body = (await http.get(f"/chargers/status/{plus}")).json()
    assert "status_id" in body
    assert "config_data" not in body


async def test_duplicate_session_across_pages(clock: FixedClock) -> None:
    sim = _sim(clock, "duplicate")
    plus = sim.accounts[0].charger_ids[0]
    params = {"charger": plus, "start_date": 0, "end_date": clock.now().timestamp(), "limit": 5}
    async with make_client(sim) as http:
        await sign_in(http)
        first = (await http.get("/v4/sessions/stats", params={**params, "offset": 0})).json()
        second = (await http.get("/v4/sessions/stats", params={**params, "offset": 5})).json()
    assert first["data"][-1]["id"] == second["data"][0]["id"]
    assert sim.faults.injected == {"duplicate": 1}  # page one cannot overlap anything


async def test_revoked_refresh_token_fault(clock: FixedClock) -> None:
    sim = _sim(clock, "revoked_refresh")
    async with make_client(sim) as http:
        tokens = await sign_in(http)
        headers = {"Authorization": f"Bearer {tokens['refresh_token']}", "Partner": "wallbox"}
        assert (await http.get("/users/refresh-token", headers=headers)).status_code == 401
        await sign_in(http)  # signing in again works


async def test_faults_never_change_the_ground_truth(clock: FixedClock) -> None:
    clean = WallboxSimulator(SimulatorConfig(partner_mode=True), clock=clock)
    config = SimulatorConfig(partner_mode=True, fault_rate=0.7, slow_answer_s=0.01)
    flaky = WallboxSimulator(config, clock=clock)
    plus = clean.accounts[0].charger_ids[0]
    async with make_client(flaky) as http:
        await sign_in(http)
        for _ in range(30):
            try:
                await http.get("/v4/sessions/stats", params={"charger": plus, "offset": 1})
                await http.put(f"/v2/charger/{plus}", json={"maxChargingCurrent": 32})
            except httpx.TransportError:
                pass
            clock.advance(timedelta(minutes=1))
    assert flaky.ground_truth_sessions(plus) == clean.ground_truth_sessions(plus)
    assert len(flaky.faults.injected) >= 5
