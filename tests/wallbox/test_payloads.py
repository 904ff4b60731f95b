"""Every documented response shape and quirk, parsed from recorded payloads (reference §2)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from wallbox_fakes import FakeCloud, fixture

from chargebook.domain.models import ChargerSource, ChargerState, EcoSmartMode
from chargebook.wallbox import WallboxClient, WallboxPayloadError
from chargebook.wallbox.states import car_connected, state_for


async def test_groups_flatten_every_group_and_keep_each_charger_once(
    client: WallboxClient,
) -> None:
    chargers = await client.list_chargers()
    assert [c.external_id for c in chargers] == ["123456", "9988552"]
    first, second = chargers
    assert first.source is ChargerSource.WALLBOX_CLOUD
    assert first.name == "My Charger"
    assert first.model == "Pulsar Plus US"
    assert first.firmware_version == "5.11.14"
    assert first.max_current_a == 32
    assert first.group_name == "Family"
    assert first.mid.enabled is False
    # true/1 booleans and the second group's name
    assert second.group_name == "Garage"
    assert second.mid.enabled is True
    assert second.mid.status == 1
    assert second.mid.present is False  # enabled but no serial: not a MID meter


async def test_charger_summary_turns_resume_wh_strings_into_kwh(client: WallboxClient) -> None:
    summary = await client.get_charger("123456")
    assert summary.charger.serial_number == "123456"
    assert summary.charger.mid.serial_number is None  # "" on the wire
    assert summary.status_code == 161
    assert summary.state is ChargerState.READY
    assert summary.locked is False
    assert summary.max_available_current_a == 40
    assert summary.totals is not None
    assert summary.totals.total_energy_kwh == Decimal("56.677")
    assert summary.totals.total_mid_energy_kwh == Decimal(0)
    assert summary.totals.charging_time_s == 31032
    assert summary.totals.total_sessions == 7
    assert summary.last_connection_at == datetime.fromtimestamp(1661985484, tz=UTC)


async def test_status_of_a_locked_charger_with_a_car(client: WallboxClient) -> None:
    status = await client.get_status("9988552")
    assert status.state is ChargerState.LOCKED_CAR_CONNECTED
    assert status.status_code == 210
    assert status.car_connected is True
    assert status.charging_power_kw == 0.0
    assert status.session_energy_kwh == pytest.approx(0.546)
    assert status.session_duration_s == 585
    assert status.locked is True  # 0/1 on the wire
    assert status.max_charging_current_a == 32
    assert status.max_available_current_a == 32
    assert status.icp_max_current_a == 0
    assert status.energy_price_per_kwh == Decimal("0.24")
    assert status.currency == "EUR"
    assert status.firmware_version == "5.17.59"
    assert status.firmware_update_available is False
    assert status.eco_smart is not None
    assert status.eco_smart.mode is EcoSmartMode.OFF
    assert status.part_number == "PLP1-M-2-4-9-002-F"
    assert status.time_zone == "Europe/Berlin"
    assert status.operation_mode == "ocpp"
    assert status.reported_at == datetime(2023, 8, 18, 6, 50, 26, tzinfo=UTC)
    assert status.observed_at == client._clock.now()


async def test_status_quirks_null_icp_missing_ecosmart_bool_and_string_numbers(
    client: WallboxClient,
) -> None:
    status = await client.get_status("42")
    assert status.state is ChargerState.CHARGING
    assert status.charging_power_kw == pytest.approx(7.386)  # kW, not W
    assert status.session_energy_kwh == pytest.approx(12.345)
    assert status.session_duration_s == 5400
    assert status.icp_max_current_a is None
    assert status.eco_smart is None
    assert status.locked is False  # true/false on the wire
    assert status.max_charging_current_a == 16  # "16" on the wire
    assert status.firmware_update_available is True
    assert status.mid.present is True
    assert status.mid.serial_number == "MID123"


@pytest.mark.parametrize(
    ("ecosmart", "expected"),
    [
        ({"enabled": True, "mode": 0, "percentage": 80}, EcoSmartMode.ECO),
        ({"enabled": 1, "mode": 1}, EcoSmartMode.FULL_SOLAR),
        ({"enabled": False, "mode": 1}, EcoSmartMode.OFF),
        ({"enabled": False}, None),  # no mode: the feature is absent (HA's reading)
    ],
    ids=["eco", "full-solar", "off", "no-mode"],
)
async def test_ecosmart_modes(
    cloud: FakeCloud, client: WallboxClient, ecosmart: dict[str, object], expected: object
) -> None:
    body = fixture("status.json")
    body["config_data"]["ecosmart"] = ecosmart
    cloud.on("GET", "/chargers/status/9988552", httpx.Response(200, json=body))
    status = await client.get_status("9988552")
    got = status.eco_smart.mode if status.eco_smart else None
    assert got == expected


async def test_config_read_and_price_write(cloud: FakeCloud, client: WallboxClient) -> None:
    config = await client.get_config("9988552")
    assert config.energy_price_per_kwh == Decimal("0.24")
    assert config.icp_max_current_a == 25
    assert config.locked is True
    assert config.firmware_update_available is True
    updated = await client.set_energy_price("9988552", Decimal("0.31"))
    assert updated.currency == "EUR"
    sent = cloud.requests[-1]
    assert sent.method == "POST"
    assert json.loads(sent.content) == {"energyCost": 0.31}


async def test_schedules_are_positional_local_hhmm(client: WallboxClient) -> None:
    (schedule,) = await client.get_schedules("42")
    assert schedule.slot == 0
    assert schedule.enabled is True
    assert (schedule.start_local, schedule.stop_local) == ("2100", "0500")
    assert schedule.days == {"monday", "tuesday", "wednesday", "thursday", "friday"}


async def test_set_schedules_sends_the_documented_shape(
    cloud: FakeCloud, client: WallboxClient
) -> None:
    (schedule,) = await client.get_schedules("42")
    cloud.on("POST", "/chargers/42/schedules", httpx.Response(200, json=fixture("schedules.json")))
    result = await client.set_schedules("42", [schedule])
    body = json.loads(cloud.requests[-1].content)
    assert body["schedules"][0]["start"] == "2100"
    assert body["schedules"][0]["days"]["saturday"] is False
    assert body["schedules"][0]["enable"] == 1
    assert result == [schedule]


async def test_lock_write_reads_the_reply_envelope_without_an_extra_get(
    cloud: FakeCloud, client: WallboxClient
) -> None:
    summary = await client.update_charger("123456", locked=True, max_current_a=16)
    writes = [r for r in cloud.data_requests() if r.method == "PUT"]
    assert json.loads(writes[0].content) == {"locked": 1, "maxChargingCurrent": 16}
    assert summary.charger.external_id == "123456"
    assert [r.method for r in cloud.data_requests()] == ["PUT"]


async def test_remote_actions_send_their_codes_and_accept_an_empty_body(
    cloud: FakeCloud, client: WallboxClient
) -> None:
    await client.resume("123456")
    await client.pause("123456")
    await client.restart("123456")
    await client.update_firmware("123456")
    await client.resume_schedule("123456")
    actions = [json.loads(r.content)["action"] for r in cloud.data_requests()]
    assert actions == [1, 2, 3, 5, 9]
    assert not hasattr(client, "factory_reset")


async def test_eco_smart_body(cloud: FakeCloud, client: WallboxClient) -> None:
    await client.set_eco_smart("123456", EcoSmartMode.FULL_SOLAR, percentage=100)
    await client.set_eco_smart("123456", EcoSmartMode.OFF)
    bodies = [json.loads(r.content) for r in cloud.data_requests()]
    assert bodies[0] == {
        "data": {"type": "eco_smart", "attributes": {"enabled": 1, "mode": 1, "percentage": 100}}
    }
    assert bodies[1]["data"]["attributes"] == {"enabled": 0, "mode": 0}


async def test_data_calls_send_the_documented_headers(
    cloud: FakeCloud, client: WallboxClient
) -> None:
    await client.get_status("9988552")
    signin, data = cloud.requests
    assert signin.headers["Partner"] == "wallbox"
    assert signin.headers["Authorization"].startswith("Basic ")
    assert data.headers["Authorization"] == "Bearer access-1"
    assert data.headers["Accept"] == "application/json"
    assert data.headers["Content-Type"] == "application/json;charset=UTF-8"
    assert data.headers["User-Agent"].startswith("chargebook/")


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda b: b.update(status_id="ready"), "status_id"),
        (lambda b: b.update(charging_power="fast"), "charging_power"),
        (lambda b: b.update(config_data="none"), "config_data"),
        (lambda b: b["config_data"].update(max_charging_current=[1]), "max_charging_current"),
    ],
    ids=["status-id-not-a-number", "power-not-a-number", "config-not-an-object", "current-a-list"],
)
async def test_malformed_status_names_the_field(
    cloud: FakeCloud, make_client: object, mutate: object, field: str
) -> None:
    body = fixture("status.json")
    mutate(body)  # type: ignore[operator]
    cloud.on("GET", "/chargers/status/9988552", httpx.Response(200, json=body))
    wallbox = make_client(max_retries=0)  # type: ignore[operator]
    with pytest.raises(WallboxPayloadError) as info:
        await wallbox.get_status("9988552")
    assert field in info.value.field
    assert info.value.retryable is True
    assert info.value.charger_id == "9988552"


async def test_truncated_json_is_a_payload_error(cloud: FakeCloud, make_client: object) -> None:
    cloud.on("GET", "/v3/chargers/groups", httpx.Response(200, content=b'{"result":{"gro'))
    wallbox = make_client(max_retries=0)  # type: ignore[operator]
    with pytest.raises(WallboxPayloadError) as info:
        await wallbox.list_chargers()
    assert info.value.field == "<body>"


@pytest.mark.parametrize(
    ("code", "state", "car"),
    [
        (0, ChargerState.DISCONNECTED, False),
        (14, ChargerState.ERROR, False),
        (161, ChargerState.READY, False),
        (163, ChargerState.DISCONNECTED, False),
        (164, ChargerState.WAITING, True),
        (165, ChargerState.LOCKED, False),
        (166, ChargerState.UPDATING, False),
        (177, ChargerState.SCHEDULED, True),
        (182, ChargerState.PAUSED, True),
        (181, ChargerState.WAITING, True),
        (189, ChargerState.WAITING, True),
        (194, ChargerState.CHARGING, True),
        (196, ChargerState.DISCHARGING, True),
        (209, ChargerState.LOCKED, False),
        (210, ChargerState.LOCKED_CAR_CONNECTED, True),
        (200, ChargerState.UNKNOWN, False),
    ],
)
def test_status_codes(code: int, state: ChargerState, car: bool) -> None:
    assert state_for(code) is state
    assert car_connected(code) is car


@pytest.mark.parametrize(
    ("mutate", "unknown"),
    [
        (lambda b: b.pop("status_id"), "status_code"),
        (lambda b: b.update(status_id=None), "status_code"),
        (lambda b: b.pop("charging_time"), "session_duration_s"),
        (lambda b: b.update(charging_power=None), "charging_power_kw"),
        (lambda b: b.pop("added_energy"), "session_energy_kwh"),
        (lambda b: b.pop("config_data"), "locked"),
        (lambda b: b["config_data"].update(max_charging_current=None), "max_charging_current_a"),
    ],
    ids=[
        "no-status-id",
        "null-status-id",
        "no-charging-time",
        "null-power",
        "no-energy",
        "no-config",
        "null-current",
    ],
)
async def test_a_missing_or_null_field_makes_only_that_value_unknown(
    cloud: FakeCloud, client: WallboxClient, mutate: object, unknown: str
) -> None:
    complete = await client.get_status("9988552")
    body = fixture("status.json")
    mutate(body)  # type: ignore[operator]
    cloud.on("GET", "/chargers/status/9988552", httpx.Response(200, json=body))
    status = await client.get_status("9988552")
    assert getattr(status, unknown) is None
    assert getattr(complete, unknown) is not None
    if unknown == "status_code":
        assert status.state is ChargerState.UNKNOWN
    else:  # everything else is still read
        assert status.state is complete.state
        assert status.status_code == complete.status_code


async def test_groups_with_nulls_where_chargebook_can_do_without(
    cloud: FakeCloud, client: WallboxClient
) -> None:
    body = fixture("groups.json")
    item = body["result"]["groups"][0]["chargers"][0]
    item.update(name=None, midEnabled=None, locked=None, maxChargingCurrent=None)
    item["software"]["updateAvailable"] = None
    cloud.on("GET", "/v3/chargers/groups", httpx.Response(200, json=body))
    charger = next(c for c in await client.list_chargers() if c.external_id == str(item["id"]))
    assert charger.name == f"Wallbox {item['id']}"
    assert charger.mid.enabled is False
    assert charger.max_current_a is None
    assert charger.firmware_version == item["software"]["currentVersion"]


async def test_charger_data_with_null_lock_status_and_resume(
    cloud: FakeCloud, client: WallboxClient
) -> None:
    body = fixture("charger_data.json")
    body["data"]["chargerData"].update(locked=None, status=None, resume=None, name=None)
    cloud.on("GET", "/v2/charger/123456", httpx.Response(200, json=body))
    summary = await client.get_charger("123456")
    assert summary.locked is None
    assert summary.status_code is None
    assert summary.state is ChargerState.UNKNOWN
    assert summary.totals is None
    assert summary.charger.name == "Wallbox 123456"
