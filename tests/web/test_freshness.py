"""The charger page says how fresh its reading is ("updated 40 s ago"), page and JSON alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from chargebook.clock import FixedClock
from chargebook.domain.freshness import updated_ago
from chargebook.domain.models import ChargerSource, ChargerState, ChargerStatus, MidMeter

from .fake_control import FakeControl
from .helpers import World, context_of


def reading_port(clock: FixedClock) -> FakeControl:
    """A control that reads a status (observed at the clock's time)."""

    def status(charger_id: str) -> ChargerStatus:
        return ChargerStatus(
            charger_external_id=charger_id,
            observed_at=clock.now(),
            state=ChargerState.CHARGING,
            status_code=194,
            car_connected=True,
            charging_power_kw=7.4,
            session_energy_kwh=3.2,
            session_duration_s=1500,
            discharged_energy_kwh=0.0,
            locked=False,
            max_charging_current_a=16,
            max_available_current_a=32,
            icp_max_current_a=None,
            energy_price_per_kwh=None,
            currency=None,
            firmware_version=None,
            firmware_update_available=False,
            eco_smart=None,
            mid=MidMeter(enabled=False),
        )

    return FakeControl(status)


async def test_the_page_and_its_json_say_how_old_the_reading_is(world: World) -> None:
    port = reading_port(world.clock)
    context_of(world.app).controls.register(ChargerSource.WALLBOX_CLOUD, port.factory)
    owner = world.actors["owner_a"]
    charger_id = world.charger_ids["owner_a"]

    page = await owner.client.get(f"/chargers/{charger_id}")
    assert 'data-testid="freshness">updated just now<' in page.text
    world.clock.advance(40)  # the reading is cached (the budget allows a read every 40 s)
    live = (await owner.client.get(f"/chargers/{charger_id}/live")).json()
    assert port.reads == 1
    assert live["live"] is True
    assert live["freshness"] == "updated 40 s ago"
    assert live["age_s"] == 40


async def test_the_books_last_sample_says_its_age_and_why(world: World) -> None:
    owner = world.actors["owner_a"]
    charger_id = world.charger_ids["owner_a"]
    live = (await owner.client.get(f"/chargers/{charger_id}/live")).json()
    assert live["live"] is False
    assert live["freshness"].startswith(("updated ", "no reading yet"))
    assert "last reading recorded in the book" in live["freshness"]


def test_updated_ago_in_words() -> None:
    now = datetime(2026, 12, 6, 21, 0, tzinfo=UTC)
    assert updated_ago(None, now) == "no reading yet"
    assert updated_ago(now, now) == "updated just now"
    assert updated_ago(now + timedelta(seconds=5), now) == "updated just now"  # clock skew
    assert updated_ago(now - timedelta(seconds=40), now) == "updated 40 s ago"
    assert updated_ago(now - timedelta(minutes=4), now) == "updated 4 min ago"
    assert updated_ago(now - timedelta(hours=3), now) == "updated 3 h ago"
    assert updated_ago(now - timedelta(days=5), now) == "updated 5 days ago"


async def test_the_page_and_its_json_write_the_reading_time_the_same_local_24_hour_way(
    world: World,
) -> None:
    # Issue 18: the time flipped from "20:18:20 UTC" to the browser's "8:18:29 PM".
    port = reading_port(world.clock)
    context_of(world.app).controls.register(ChargerSource.WALLBOX_CLOUD, port.factory)
    owner = world.actors["owner_a"]
    charger_id = world.charger_ids["owner_a"]

    page = await owner.client.get(f"/chargers/{charger_id}")
    live = (await owner.client.get(f"/chargers/{charger_id}/live")).json()

    local = world.clock.now().astimezone(ZoneInfo("Europe/Amsterdam")).strftime("%H:%M:%S")
    assert local != world.clock.now().strftime("%H:%M:%S")  # the zone shows (not UTC)
    assert live["observed_time"] == local
    assert f">{local}</time>" in page.text
    assert "UTC</time>" not in page.text
