"""The real-payload corpus (tests/fixtures/real/wallbox, see SOURCES.md): every recording is
served to the client over HTTP and every value is read as the real cloud meant it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from wallbox_fakes import FakeCloud

from chargebook.domain.models import ChargerState, EcoSmartMode
from chargebook.wallbox import WallboxClient
from chargebook.wallbox.wire.auth import parse_tokens
from chargebook.wallbox.wire.chargers import ChargerDataResponse
from chargebook.wallbox.wire.common import parse_payload

REAL = Path(__file__).parent.parent / "fixtures" / "real" / "wallbox"


def real(name: str) -> Any:
    return json.loads((REAL / name).read_text(encoding="utf-8"))


def test_every_recording_is_listed_in_sources_with_a_licence() -> None:
    sources = (REAL / "SOURCES.md").read_text(encoding="utf-8")
    files = sorted(p.name for p in REAL.glob("*.json"))
    assert len(files) >= 15
    for name in files:
        row = next((line for line in sources.splitlines() if f"`{name}`" in line), None)
        assert row is not None, f"{name} is not in SOURCES.md"
        assert "Apache-2.0" in row or "MIT" in row, f"{name} has no licence"


async def _status(cloud: FakeCloud, client: WallboxClient, name: str) -> Any:
    cloud.on("GET", "/chargers/status/777", httpx.Response(200, json=real(name)))
    return await client.get_status("777")


async def test_home_assistant_status_without_charging_time(
    cloud: FakeCloud, client: WallboxClient
) -> None:
    status = await _status(cloud, client, "ha-core_status.json")
    assert status.status_code == 193
    assert status.state is ChargerState.CHARGING
    assert status.car_connected is True
    assert status.charging_power_kw == 0  # kW
    assert status.session_energy_kwh == pytest.approx(44.697)  # kWh
    assert status.session_duration_s is None  # the recording has no charging_time: unknown
    assert status.max_charging_current_a == 24  # A
    assert status.max_available_current_a == 25  # `max_available_power` is amps
    assert status.icp_max_current_a == 20
    assert status.locked is False
    assert status.energy_price_per_kwh == Decimal("0.4")
    assert status.currency == "EUR/kWh"  # what Home Assistant's fixture puts in currency.code
    assert status.firmware_version == "5.5.10"
    assert status.part_number == "PLP1-0-2-4-9-002-E"
    assert status.eco_smart is not None
    assert status.eco_smart.mode is EcoSmartMode.OFF
    assert status.reported_at is None  # no last_sync in the recording
    assert status.discharged_energy_kwh == 0


@pytest.mark.parametrize(
    ("name", "mode", "part"),
    [
        ("ha-core_status_bidir.json", EcoSmartMode.OFF, "QSP1-0-2-4-9-002-E"),
        ("ha-core_status_eco-mode.json", EcoSmartMode.ECO, "PLP1-0-2-4-9-002-E"),
        ("ha-core_status_full-solar.json", EcoSmartMode.FULL_SOLAR, "PLP1-0-2-4-9-002-E"),
        ("ha-core_status_no-power-boost.json", None, "PLP1-0-2-4-9-002-E"),
    ],
)
async def test_home_assistant_status_variants(
    cloud: FakeCloud, client: WallboxClient, name: str, mode: EcoSmartMode | None, part: str
) -> None:
    status = await _status(cloud, client, name)
    assert status.state is ChargerState.CHARGING
    assert status.session_energy_kwh == pytest.approx(44.697)
    assert status.part_number == part
    if mode is None:
        assert status.eco_smart is None  # no `ecosmart` key: the feature is absent
    else:
        assert status.eco_smart is not None
        assert status.eco_smart.mode is mode
        assert status.eco_smart.enabled is (mode is not EcoSmartMode.OFF)


async def test_skb_status_of_a_locked_charger_in_ocpp_mode(
    cloud: FakeCloud, client: WallboxClient
) -> None:
    status = await _status(cloud, client, "skb-cgn_status-ocpp.json")
    assert status.status_code == 210
    assert status.state is ChargerState.LOCKED_CAR_CONNECTED
    assert status.car_connected is True
    assert status.charging_power_kw == 0
    assert status.session_energy_kwh == pytest.approx(0.546)
    assert status.session_duration_s == 585
    assert status.locked is True
    assert status.max_charging_current_a == 32
    assert status.max_available_current_a == 32
    assert status.icp_max_current_a == 0
    assert status.energy_price_per_kwh == Decimal("0.24")
    assert status.currency == "EUR"
    assert status.time_zone == "Europe/Berlin"
    assert status.part_number == "PLP1-M-2-4-9-002-F"
    assert status.firmware_version == "5.17.59"
    assert status.firmware_update_available is False
    assert status.operation_mode == "ocpp"
    assert status.mid.enabled is False
    assert status.eco_smart is not None
    assert status.eco_smart.mode is EcoSmartMode.OFF
    assert status.eco_smart.percentage == 100
    assert status.reported_at == datetime(2023, 8, 18, 6, 50, 26, tzinfo=UTC)


async def test_dutchie_status_of_a_locked_us_charger(
    cloud: FakeCloud, client: WallboxClient
) -> None:
    status = await _status(cloud, client, "dutchie027_status-locked.json")
    assert status.state is ChargerState.LOCKED
    assert status.car_connected is False
    assert status.session_energy_kwh == pytest.approx(6.857)
    assert status.session_duration_s == 85072
    assert status.locked is True
    assert status.max_charging_current_a == 32
    assert status.max_available_current_a == 40
    assert status.energy_price_per_kwh == Decimal("0.077")
    assert status.currency == "USD"
    assert status.time_zone == "America/New_York"
    assert status.part_number == "PUP1-U-1-5-N-002-A"
    assert status.reported_at == datetime(2022, 8, 31, 21, 18, tzinfo=UTC)


async def test_dutchie_groups(cloud: FakeCloud, client: WallboxClient) -> None:
    cloud.on(
        "GET",
        "/v3/chargers/groups",
        httpx.Response(200, json=real("dutchie027_groups-charging.json")),
    )
    [charger] = await client.list_chargers()
    assert charger.external_id == "123456"
    assert charger.name == "My Charger"
    assert charger.model == "Pulsar Plus US"
    assert charger.firmware_version == "5.11.14"
    assert charger.max_current_a == 32
    assert charger.mid.enabled is False
    assert charger.group_name == "Family"


async def test_dutchie_charger_data_with_resume_in_wh_strings(
    cloud: FakeCloud, client: WallboxClient
) -> None:
    cloud.on(
        "GET", "/v2/charger/123456", httpx.Response(200, json=real("dutchie027_charger-data.json"))
    )
    summary = await client.get_charger("123456")
    assert summary.status_code == 161
    assert summary.state is ChargerState.READY
    assert summary.locked is False
    assert summary.max_charging_current_a == 32
    assert summary.max_available_current_a == 40
    assert summary.charger.serial_number == "123456"
    assert summary.charger.max_current_a == 40
    assert summary.charger.mid.enabled is False
    assert summary.charger.mid.serial_number is None  # "" means none
    assert summary.last_connection_at == datetime.fromtimestamp(1661985484, UTC)
    totals = summary.totals
    assert totals is not None
    assert totals.total_sessions == 7
    assert totals.total_energy_kwh == Decimal("56.677")  # "56677" Wh
    assert totals.total_mid_energy_kwh == Decimal(0)
    assert totals.charging_time_s == 31032
    assert totals.total_users == 1


def _with_resume(resume_file: str) -> dict[str, Any]:
    """Dutchie's recorded charger data carrying WandDeuze's recorded `resume` block: both
    are real; the reset block was only ever recorded as a fragment."""
    body: dict[str, Any] = real("dutchie027_charger-data.json")
    body["data"]["chargerData"]["resume"] = real(resume_file)["resume"]
    return body


async def test_month_reset_resume_parses_as_zero_and_unknown(
    cloud: FakeCloud, client: WallboxClient
) -> None:
    cloud.on(
        "GET",
        "/v2/charger/123456",
        httpx.Response(200, json=_with_resume("wanddeuze_resume_month-reset.json")),
    )
    summary = await client.get_charger("123456")
    totals = summary.totals
    assert totals is not None
    assert totals.total_sessions == 0
    assert totals.total_energy_kwh == Decimal(0)  # the number 0, not the string "0"
    assert totals.total_mid_energy_kwh == Decimal(0)
    assert totals.charging_time_s is None  # null: unknown
    assert totals.total_users == 1
    assert summary.locked is False  # the rest of the charger is read as before


async def test_mid_month_resume_from_wanddeuze(cloud: FakeCloud, client: WallboxClient) -> None:
    cloud.on(
        "GET",
        "/v2/charger/123456",
        httpx.Response(200, json=_with_resume("wanddeuze_resume_mid-month.json")),
    )
    totals = (await client.get_charger("123456")).totals
    assert totals is not None
    assert totals.total_sessions == 12
    assert totals.total_energy_kwh == Decimal("86.513")  # "86513" Wh ("milli kWh")
    assert totals.charging_time_s == 185903


async def test_a_lock_whose_reply_carries_a_month_reset_is_sent_once_and_succeeds(
    cloud: FakeCloud, client: WallboxClient
) -> None:
    """The issue's case: the reply of a lock carries the reset `resume`. It parses now; and
    were it unreadable, the write would still go out once (tests/wallbox/test_writes_...)."""
    reply = _with_resume("wanddeuze_resume_month-reset.json")
    reply["data"]["chargerData"]["locked"] = 1
    cloud.on("PUT", "/v2/charger/123456", httpx.Response(200, json=reply))
    summary = await client.update_charger("123456", locked=True)
    assert summary.locked is True
    assert [r.method for r in cloud.data_requests()] == ["PUT"]


def test_charger_data_wire_model_accepts_the_reset_block_directly() -> None:
    wire = parse_payload(
        ChargerDataResponse, _with_resume("wanddeuze_resume_month-reset.json"), what="charger"
    )
    assert wire.data.charger_data.resume is not None
    assert wire.data.charger_data.resume.charging_time is None


async def test_home_assistant_session_page(cloud: FakeCloud, client: WallboxClient) -> None:
    cloud.on("GET", "/v4/sessions/stats", httpx.Response(200, json=real("ha-core_sessions.json")))
    page = await client.fetch_session_page(
        "12345",
        start=datetime(2024, 9, 10, tzinfo=UTC),
        end=datetime(2024, 10, 10, 20, tzinfo=UTC),
    )
    assert page.count == 2
    first, second = (record.session for record in page.records)
    assert first is not None
    assert second is not None
    assert first.external_id == "123456789"
    assert first.started_at == datetime.fromtimestamp(1728417604, UTC)
    assert first.ended_at == datetime.fromtimestamp(1728539458, UTC)
    assert first.energy_kwh == Decimal("15.06")  # kWh
    assert first.mid_energy_kwh == Decimal(0)
    assert first.discharged_energy_kwh == Decimal(0)
    assert first.duration_s == 13577
    assert first.cost == Decimal("6.024")
    assert first.currency == "EUR"
    assert second.external_id == "987654321"
    assert second.energy_kwh == Decimal("16.139")
    assert second.cost == Decimal("6.4556")
    assert second.duration_s == 14480
    assert all(record.problem is None for record in page.records)


async def test_home_assistant_empty_session_page(cloud: FakeCloud, client: WallboxClient) -> None:
    cloud.on(
        "GET", "/v4/sessions/stats", httpx.Response(200, json=real("ha-core_sessions_empty.json"))
    )
    page = await client.fetch_session_page(
        "12345", start=datetime(2024, 9, 10, tzinfo=UTC), end=datetime(2024, 10, 10, tzinfo=UTC)
    )
    assert page.count == 0
    assert page.records == []


async def test_home_assistant_schedules(cloud: FakeCloud, client: WallboxClient) -> None:
    cloud.on(
        "GET", "/chargers/777/schedules", httpx.Response(200, json=real("ha-core_schedules.json"))
    )
    [schedule] = await client.get_schedules("777")
    assert schedule.slot == 0
    assert schedule.enabled is True
    assert (schedule.start_local, schedule.stop_local) == ("2100", "2200")
    assert len(schedule.days) == 7
    assert schedule.max_current == 1
    assert schedule.max_energy == 0


def test_home_assistant_sign_in_reply() -> None:
    tokens = parse_tokens(real("ha-core_signin.json"))
    assert tokens.access_token == "fakekeyhere"
    assert tokens.refresh_token == "refresh_fakekeyhere"
    assert tokens.access_expires_at_ms == 145656758  # epoch ms, as recorded
    assert tokens.refresh_expires_at_ms == 145756758
    assert tokens.user_id == 12345
