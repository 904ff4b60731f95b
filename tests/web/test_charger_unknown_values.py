"""A charger whose cloud left values out (missing or null in its reply) still shows: the page
and its live JSON say "unknown" for those values, never a 500."""

from __future__ import annotations

from datetime import UTC, datetime

from chargebook.domain.models import ChargerSource, ChargerState, ChargerStatus, MidMeter

from .fake_control import FakeControl
from .helpers import World, context_of


def unknown_values(charger_id: str) -> ChargerStatus:
    """A status as the tolerant wire models make it from a sparse reply."""
    return ChargerStatus(
        charger_external_id=charger_id,
        observed_at=datetime.now(UTC),
        state=ChargerState.UNKNOWN,
        status_code=None,
        car_connected=False,
        charging_power_kw=None,
        session_energy_kwh=None,
        session_duration_s=None,
        discharged_energy_kwh=0.0,
        locked=None,
        max_charging_current_a=None,
        max_available_current_a=None,
        icp_max_current_a=None,
        energy_price_per_kwh=None,
        currency=None,
        firmware_version=None,
        firmware_update_available=False,
        eco_smart=None,
        mid=MidMeter(enabled=False),
    )


async def test_charger_page_and_live_json_show_unknown_values(world: World) -> None:
    context_of(world.app).controls.register(
        ChargerSource.WALLBOX_CLOUD, FakeControl(unknown_values).factory
    )
    owner = world.actors["owner_a"]
    charger_id = world.charger_ids["owner_a"]
    live = await owner.client.get(f"/chargers/{charger_id}/live")
    assert live.status_code == 200
    body = live.json()
    assert body["live"] is True
    assert body["power_kw"] is None
    assert body["energy_kwh"] is None
    assert body["locked"] is None
    assert body["current_a"] is None
    page = await owner.client.get(f"/chargers/{charger_id}")
    assert page.status_code == 200
    assert page.text.count(">unknown<") >= 2  # power and energy
