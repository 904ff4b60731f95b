"""Every documented payload shape and quirk (reference §1-§2), key for key."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from chargebook.clock import FixedClock
from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator

from .helpers import basic

GROUP_CHARGER_KEYS = {
    "id", "uid", "access", "name", "status", "chargerType", "ocppReady", "ocppConnectionStatus",
    "connectionType", "locked", "maxChargingCurrent", "addedEnergy", "chargingPower",
    "chargingTime", "energyUnit", "powerUnit", "lastConnection", "lastSync", "energyCost",
    "software", "midStatus", "midEnabled", "country", "state", "operationMode",
}  # fmt: skip
CHARGER_DATA_KEYS = {
    "id", "uid", "serialNumber", "name", "group", "groupUid", "chargerType", "softwareVersion",
    "status", "ocppConnectionStatus", "ocppReady", "stateOfCharge", "maxChgCurrent",
    "maxAvailableCurrent", "maxChargingCurrent", "locked", "lastConnection", "lastSync",
    "midEnabled", "midMargin", "midMarginUnit", "midSerialNumber", "midStatus", "connectionType",
    "chargingType", "connectorType", "resume",
}  # fmt: skip
STATUS_KEYS = {
    "user_id", "user_name", "car_id", "car_plate", "depot_price", "last_sync",
    "power_sharing_status", "mid_status", "status_id", "name", "charging_power",
    "max_available_power", "depot_name", "charging_speed", "added_range", "added_energy",
    "added_green_energy", "added_discharged_energy", "added_grid_energy", "charging_time",
    "finished", "cost", "current_mode", "preventive_discharge", "state_of_charge", "ocpp_status",
    "config_data",
}  # fmt: skip
CONFIG_KEYS = {
    "charger_id", "uid", "serial_number", "name", "locked", "auto_lock", "auto_lock_time",
    "multiuser", "max_charging_current", "language", "icp_max_current", "grid_type",
    "energy_price", "energyCost", "unlock_user_id", "home_sharing", "max_available_current",
    "live_refresh_time", "update_refresh_time", "owner_id", "remote_action", "plan",
    "sync_timestamp", "currency", "country", "timezone", "part_number", "software",
    "operation_mode", "ocpp_ready", "mid_enabled", "mid_margin", "mid_margin_unit",
    "mid_serial_number", "mid_status", "group_id",
}  # fmt: skip
SESSION_KEYS = {
    "group", "charger", "user", "start", "end", "energy", "discharged_energy", "mid_energy",
    "green_energy", "time", "discharging_time", "cost", "cost_savings", "cost_unit", "currency",
    "range", "group_name", "base_group_name", "charger_name", "user_subgroup", "user_name",
    "user_email", "user_rfid", "user_is_rfid", "user_plate", "user_extra_information",
    "energy_unit", "amount", "service_price", "service_time", "tax_rate", "tax_sales",
}  # fmt: skip


@pytest.fixture
def sim(clock: FixedClock) -> WallboxSimulator:
    """The documented shapes, key for key: real-world variants off (test_variants.py)."""
    config = SimulatorConfig(accounts=3, partner_mode=True, variant_rate=0.0)
    return WallboxSimulator(config, clock=clock)


def _jwt_payload(token: str) -> dict[str, object]:
    parts = token.split(".")
    assert len(parts) == 3
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", p) for p in parts)
    decoded: dict[str, object] = json.loads(base64.urlsafe_b64decode(parts[1] + "=="))
    return decoded


async def test_signin_returns_jwts_and_epoch_millisecond_expiry(
    sim: WallboxSimulator, clock: FixedClock
) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sim.app), base_url="http://x"
    ) as http:
        response = await http.get(
            "/users/signin", headers=basic("demo@example.com", "demo-password")
        )
    body = response.json()
    assert set(body["data"]) == {"type", "id", "attributes"}
    attributes = body["data"]["attributes"]
    now_ms = int(clock.now().timestamp() * 1000)
    assert attributes["ttl"] == now_ms + 900 * 1000
    assert attributes["refresh_token_ttl"] == now_ms + 7 * 86400 * 1000
    assert attributes["user_id"] == sim.accounts[0].user_id
    assert attributes["error"] == "false"
    assert attributes["status"] == 200
    assert _jwt_payload(attributes["token"])["username"] == "demo@example.com"
    assert _jwt_payload(attributes["refresh_token"])["username"] == "demo@example.com"


async def test_groups_are_camel_case(client: httpx.AsyncClient, sim: WallboxSimulator) -> None:
    body = (await client.get("/v3/chargers/groups")).json()
    (group,) = body["result"]["groups"]
    assert group["profile"] == {"id": 4, "name": "super-admin"}
    assert group["parent"] is None
    assert [c["id"] for c in group["chargers"]] == list(sim.accounts[0].charger_ids)
    for charger in group["chargers"]:
        assert set(charger) == GROUP_CHARGER_KEYS
        assert charger["locked"] in (0, 1)
        assert isinstance(charger["midEnabled"], bool)  # bool here, 0/1 elsewhere
        assert charger["energyCost"]["inheritedGroupId"] is None
    assert {c["chargerType"] for c in group["chargers"]} == {"Pulsar Plus", "Copper SB"}


async def test_charger_data_envelope_and_resume_strings_in_wh(
    client: httpx.AsyncClient, sim: WallboxSimulator
) -> None:
    charger_id = sim.accounts[0].charger_ids[1]  # Copper SB with MID
    body = (await client.get(f"/v2/charger/{charger_id}")).json()
    data = body["data"]["chargerData"]
    assert set(data) == CHARGER_DATA_KEYS
    assert data["serialNumber"] == str(charger_id)
    assert data["midEnabled"] == 1
    assert data["midSerialNumber"].startswith("MID")
    assert set(data["lastSync"]) == {"date", "timezone_type", "timezone"}
    resume = data["resume"]
    assert resume["energyUnit"] == "kWh"
    for key in ("chargingTime", "totalEnergy", "totalMidEnergy"):
        assert isinstance(resume[key], str)
        assert resume[key].isdigit()
    local = ZoneInfo("Europe/Amsterdam")
    month_start = datetime(2026, 3, 1, tzinfo=local).timestamp()
    today = datetime(2026, 3, 10, tzinfo=local).timestamp()  # the clock fixture's local date
    month = [
        s for s in sim.ground_truth_sessions(charger_id)
        if s["start"] >= month_start and s["end"] <= today
    ]  # fmt: skip
    assert resume["totalSessions"] == len(month)
    assert abs(int(resume["totalEnergy"]) - sum(s["energy"] for s in month) * 1000) < len(month)
    assert resume["totalMidEnergy"] == resume["totalEnergy"]
    profiles = {u["profile"] for u in body["data"]["users"]}
    assert profiles == {"super-admin", "user"}  # the owner and the read-only guest


async def test_status_is_snake_case_with_config_data(
    client: httpx.AsyncClient, sim: WallboxSimulator
) -> None:
    plus, copper = sim.accounts[0].charger_ids
    for charger_id in (plus, copper):
        body = (await client.get(f"/chargers/status/{charger_id}")).json()
        assert set(body) == STATUS_KEYS
        assert isinstance(body["added_energy"], float)
        assert body["max_available_power"] == 32  # amps despite the name
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", body["last_sync"])
        config = body["config_data"]
        assert set(config) >= CONFIG_KEYS
        assert config["locked"] in (0, 1)
    plus_config = (await client.get(f"/chargers/status/{plus}")).json()["config_data"]
    copper_config = (await client.get(f"/chargers/status/{copper}")).json()["config_data"]
    assert plus_config["part_number"] == "PLP1-0-2-4-9-002-E"
    assert plus_config["mid_enabled"] == 0
    assert plus_config["mid_serial_number"] == ""
    assert isinstance(plus_config["icp_max_current"], int)
    assert set(plus_config["ecosmart"]) == {"enabled", "mode", "percentage"}
    assert copper_config["mid_enabled"] == 1
    assert copper_config["mid_serial_number"]
    assert copper_config["icp_max_current"] is None  # no Power Boost: null
    assert "ecosmart" not in copper_config  # absent on some models


async def test_fleet_has_every_model(sim: WallboxSimulator) -> None:
    parts = {c.model.part_number[:4] for c in sim.chargers.values()}
    assert {"PLP1", "QSP1", "CPB1", "CMX2", "PPR1"} == parts


async def test_config_writes_return_flat_config(
    client: httpx.AsyncClient, sim: WallboxSimulator
) -> None:
    plus = sim.accounts[0].charger_ids[0]
    result = (await client.post(f"/chargers/config/{plus}", json={"energyCost": 0.25})).json()
    assert set(result) >= CONFIG_KEYS
    assert result["energy_price"] == 0.25
    result = (
        await client.post(f"/chargers/config/{plus}", json={"energy_price": 0.3, "currency_id": 1})
    ).json()
    assert result["energy_price"] == 0.3
    assert result["currency"]["symbol"] == "€"
    result = (
        await client.post(
            f"/chargers/config/{plus}", json={"home_sharing": 1, "icp_max_current": 25}
        )
    ).json()
    assert (result["home_sharing"], result["icp_max_current"]) == (1, 25)
    result = (
        await client.post(f"/chargers/config/{plus}", json={"max_charging_current": 99})
    ).json()
    assert result["max_charging_current"] == 32
    again = (await client.get(f"/chargers/config/{plus}")).json()
    assert again["energy_price"] == 0.3
    assert again["software"]["latestVersion"]
    bad = await client.post(f"/chargers/config/{plus}", json={"energyCost": "cheap"})
    assert bad.status_code == 400


async def test_remote_action_answers_json(client: httpx.AsyncClient, sim: WallboxSimulator) -> None:
    plus = sim.accounts[0].charger_ids[0]
    response = await client.post(f"/v3/chargers/{plus}/remote-action", json={"action": 9})
    assert response.status_code == 200
    assert response.json()["data"]["attributes"]["action"] == 9
    unknown = await client.post(f"/v3/chargers/{plus}/remote-action", json={"action": 7})
    assert unknown.status_code == 400


async def test_eco_smart_and_schedules_round_trip(
    client: httpx.AsyncClient, sim: WallboxSimulator
) -> None:
    plus, copper = sim.accounts[0].charger_ids
    body = {"data": {"type": "eco_smart", "attributes": {"enabled": 1, "mode": 1}}}
    response = await client.put(f"/v4/chargers/{plus}/eco-smart", json=body)
    assert response.json()["data"]["attributes"] == {"enabled": 1, "mode": 1, "percentage": 100}
    status = (await client.get(f"/chargers/status/{plus}")).json()
    assert status["config_data"]["ecosmart"] == {"enabled": True, "mode": 1, "percentage": 100}
    assert (await client.put(f"/v4/chargers/{copper}/eco-smart", json=body)).status_code == 404

    assert (await client.get(f"/chargers/{plus}/schedules")).json() == {"schedules": []}
    days = dict.fromkeys(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"), True
    )
    slot = {"id": 0, "chargerId": plus, "enable": 1, "max_current": 1, "max_energy": 0,
            "days": days, "start": "2100", "stop": "0500"}  # fmt: skip
    posted = await client.post(f"/chargers/{plus}/schedules", json={"schedules": [slot]})
    assert posted.json() == {"schedules": [slot]}
    assert (await client.get(f"/chargers/{plus}/schedules")).json() == {"schedules": [slot]}
    too_many = await client.post(f"/chargers/{plus}/schedules", json={"schedules": [slot] * 5})
    assert too_many.status_code == 400


async def test_session_items_follow_the_fixture(
    client: httpx.AsyncClient, sim: WallboxSimulator, clock: FixedClock
) -> None:
    plus, copper = sim.accounts[0].charger_ids
    start, end = clock.now().timestamp() - 30 * 86400 - 0.5, clock.now().timestamp() + 0.25
    for charger_id in (plus, copper):
        params = {"charger": charger_id, "start_date": start, "end_date": end}
        body = (await client.get("/v4/sessions/stats", params=params)).json()
        assert body["meta"]["count"] == len(body["data"]) > 10
        assert body["links"]["self"].startswith(
            f"http://wallbox-api.prod.wall-box.com/v4/sessions/stats?charger={charger_id}&end_date="
        )
        assert body["links"]["self"].endswith("&limit=1000&offset=0")
        for item in body["data"]:
            assert item["type"] == "charger_log_session"
            assert isinstance(item["id"], str)
            attributes = item["attributes"]
            assert set(attributes) == SESSION_KEYS
            assert attributes["charger"] == charger_id
            assert attributes["energy_unit"] == "kWh"
            if charger_id == copper:
                assert attributes["mid_energy"] == attributes["energy"] > 0
            else:
                assert attributes["mid_energy"] == 0
