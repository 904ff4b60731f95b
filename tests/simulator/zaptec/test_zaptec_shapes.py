"""The Zaptec simulator answers in the real API's paths, casing and paging fields, with the
keys of the recorded payloads (tests/zaptec/zaptec_recorded.py)."""

from __future__ import annotations

import itertools
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from chargebook.clock import FixedClock
from chargebook.simulator.zaptec import DEMO_EMAIL, DEMO_PASSWORD, ZaptecSimConfig, ZaptecSimulator

sys.path.insert(0, str(Path(__file__).parents[2] / "zaptec"))
from zaptec_recorded import CHARGEHISTORY_PRO, CHARGERS_GO, STATE_GO

START = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)


def _client(sim: ZaptecSimulator) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app), base_url="http://z")


async def _token(http: httpx.AsyncClient) -> dict[str, str]:
    answer = await http.post(
        "/oauth/token",
        data={"grant_type": "password", "username": DEMO_EMAIL, "password": DEMO_PASSWORD},
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["expires_in"] == 86399
    assert body["token_type"] == "Bearer"
    return {"Authorization": f"Bearer {body['access_token']}"}


async def test_the_token_endpoint_refuses_a_wrong_password_with_an_oauth_error() -> None:
    sim = ZaptecSimulator(clock=FixedClock(START))
    async with _client(sim) as http:
        answer = await http.post(
            "/oauth/token",
            data={"grant_type": "password", "username": DEMO_EMAIL, "password": "x"},
        )
        assert answer.status_code == 400
        assert answer.json()["error"] == "invalid_grant"
        assert "error_description" in answer.json()
        assert (await http.get("/api/chargers")).status_code == 401


async def test_charger_list_state_and_history_have_the_recorded_keys() -> None:
    sim = ZaptecSimulator(ZaptecSimConfig(variant_rate=0.0), clock=FixedClock(START))
    async with _client(sim) as http:
        headers = await _token(http)
        chargers = (
            await http.get("/api/chargers", params={"PageIndex": 0}, headers=headers)
        ).json()
        assert set(chargers) == set(CHARGERS_GO)
        assert set(chargers["Data"][0]) == set(CHARGERS_GO["Data"][0])
        charger_id = chargers["Data"][1]["Id"]  # the Pro
        state = (await http.get(f"/api/chargers/{charger_id}/state", headers=headers)).json()
        assert {tuple(sorted(e)) for e in state if "ValueAsString" in e} == {
            tuple(sorted(STATE_GO[0]))
        }
        by_id = {e["StateId"]: e.get("ValueAsString") for e in state}
        assert by_id[554].startswith("OCMF|")
        assert by_id[710] in {"1", "3", "5"}
        history = (
            await http.get(
                "/api/chargehistory",
                params={"ChargerId": charger_id, "DetailLevel": 1, "PageSize": 5},
                headers=headers,
            )
        ).json()
        assert set(history) == {"Pages", "Data"}
        recorded = CHARGEHISTORY_PRO["Data"][0]
        item = history["Data"][0]
        assert list(item) == ["Id", "DeviceId", *recorded]  # the recorded key order
        assert set(item["EnergyDetails"][0]) == {"Timestamp", "Energy"}
        assert item["SignedSession"].startswith('OCMF|{"FV":"1.0","GI":"Zaptec Pro MID"')
        assert json.loads(item["SignedSession"].split("|")[2])["SA"] == "ECDSA-secp384r1-SHA256"
        # Summary level (DetailLevel 0): no EnergyDetails.
        summary = (
            await http.get("/api/chargehistory", params={"ChargerId": charger_id}, headers=headers)
        ).json()
        assert "EnergyDetails" not in summary["Data"][0]


async def test_history_pages_by_index_with_the_total_in_pages() -> None:
    sim = ZaptecSimulator(ZaptecSimConfig(days=40, requests_per_second=0), clock=FixedClock(START))
    charger_id = sim.accounts[0].charger_ids[0]
    total = len(sim.ended_sessions(charger_id))
    async with _client(sim) as http:
        headers = await _token(http)
        seen = []
        for index in range(10):
            page = (
                await http.get(
                    "/api/chargehistory",
                    params={"ChargerId": charger_id, "PageSize": 4, "PageIndex": index,
                            "SortProperty": "StartDateTime", "SortDescending": "false"},
                    headers=headers,
                )
            ).json()  # fmt: skip
            assert page["Pages"] == -(-total // 4)
            seen += [item["Id"] for item in page["Data"]]
        assert seen == [s.id for s in sim.ended_sessions(charger_id)]
        too_big = await http.get("/api/chargehistory", params={"PageSize": 5001}, headers=headers)
        assert too_big.status_code == 400


async def test_paths_are_case_insensitive_like_aspnet() -> None:
    clock = FixedClock(START)
    sim = ZaptecSimulator(clock=clock)
    charger_id = sim.accounts[0].charger_ids[0]
    session = next(s for s in sim.plans[charger_id] if s.start > START)
    clock.set(session.start + timedelta(minutes=1))
    async with _client(sim) as http:
        headers = await _token(http)
        home_assistant = await http.post(
            f"/api/chargers/{charger_id}/SendCommand/506", headers=headers
        )
        assert home_assistant.status_code == 200
        docs = await http.post(f"/api/chargers/{charger_id}/sendCommand/507", headers=headers)
        assert docs.status_code == 200
        refused = await http.post(f"/api/chargers/{charger_id}/sendCommand/507", headers=headers)
        assert refused.status_code == 400  # ResumeCharging only when paused


async def test_ended_sessions_grow_with_the_clock_and_registers_only_grow() -> None:
    clock = FixedClock(START)
    sim = ZaptecSimulator(clock=clock)
    charger_id = sim.accounts[0].charger_ids[0]
    before = len(sim.ended_sessions(charger_id))
    clock.advance(timedelta(days=3))
    assert len(sim.ended_sessions(charger_id)) > before
    plan = sim.plans[charger_id]
    for earlier, later in itertools.pairwise(plan):
        assert later.register_start_kwh == pytest.approx(
            earlier.register_start_kwh + earlier.energy_kwh, abs=0.0015
        )
        assert later.start >= earlier.end


def test_the_same_seed_gives_the_same_fleet_and_history() -> None:
    first = ZaptecSimulator(ZaptecSimConfig(seed=4), clock=FixedClock(START))
    second = ZaptecSimulator(ZaptecSimConfig(seed=4), clock=FixedClock(START))
    cid = first.accounts[0].charger_ids[0]
    assert second.accounts[0].charger_ids[0] == cid
    assert first.history_items(cid) == second.history_items(cid)


def test_bad_configs_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault kinds"):
        ZaptecSimConfig(fault_kinds=("meteor",))
    with pytest.raises(ValueError, match="rates are between 0 and 1"):
        ZaptecSimConfig(variant_rate=2.0)


async def test_hierarchy_can_answer_no_content_and_users_get_403_on_owner_paths() -> None:
    sim = ZaptecSimulator(ZaptecSimConfig(hierarchy_no_content=True), clock=FixedClock(START))
    installation = sim.accounts[0].installation_id
    charger_id = sim.accounts[0].charger_ids[0]
    async with _client(sim) as http:
        owner = await _token(http)
        answer = await http.get(f"/api/installation/{installation}/hierarchy", headers=owner)
        assert answer.status_code == 204
        grant = await http.post(
            "/oauth/token",
            data={"grant_type": "password", "username": "guest@example.com",
                  "password": "guest-password"},
        )  # fmt: skip
        guest = {"Authorization": f"Bearer {grant.json()['access_token']}"}
        assert (await http.get(f"/api/chargers/{charger_id}", headers=guest)).status_code == 403
        assert (await http.get(f"/api/chargers/{charger_id}", headers=owner)).status_code == 200
        state = await http.get(f"/api/chargers/{charger_id}/state", headers=guest)
        assert state.status_code == 200
