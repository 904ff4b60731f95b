"""The charger page offers only the controls the charger's system supports and says why the
others are missing; a command it lacks is a 409 with that reason from the page and the API
alike, and nothing is sent."""

from __future__ import annotations

from chargebook.domain.control import ControlFeature
from chargebook.domain.models import ChargerSource

from .fake_control import FakeControl
from .helpers import World, context_of

NO_LOCK = frozenset({ControlFeature.PAUSE_RESUME, ControlFeature.CURRENT, ControlFeature.RESTART})


async def test_a_system_without_lock_hides_it_and_refuses_it_with_the_reason(
    world: World,
) -> None:
    control = FakeControl(features=NO_LOCK)
    context_of(world.app).controls.register(ChargerSource.WALLBOX_CLOUD, control.factory)
    owner = world.actors["owner_a"]
    charger_id = world.charger_ids["owner_a"]

    page = await owner.client.get(f"/chargers/{charger_id}")
    assert page.status_code == 200
    assert 'data-testid="pause"' in page.text
    assert 'data-testid="set-current"' in page.text
    assert 'data-testid="lock"' not in page.text
    assert "/commands/energy-price" not in page.text
    assert "Fake chargers cannot lock or unlock from chargebook." in page.text

    headers = {"Accept": "application/json", "X-CSRF-Token": owner.csrf}
    base = f"/chargers/{charger_id}/commands"
    refused = await owner.client.post(f"{base}/lock", data={}, headers=headers)
    assert refused.status_code == 409
    assert refused.json()["message"] == "Fake chargers cannot lock or unlock from chargebook"
    api = await owner.client.post(
        f"/api/v1/chargers/{charger_id}/commands/energy-price",
        json={"price_per_kwh": "0.25"},
        headers=owner.bearer(),
    )
    assert api.status_code == 409
    assert api.json()["error"] == "ControlNotSupportedError"
    assert control.sent == []

    paused = await owner.client.post(f"{base}/pause", data={}, headers=headers)
    assert paused.status_code == 200
    assert control.sent == [("70000", "pause", None)]


async def test_a_system_without_a_running_adapter_shows_no_controls_but_says_why(
    world: World,
) -> None:
    context_of(world.app).controls.unregister(ChargerSource.WALLBOX_CLOUD)
    owner = world.actors["owner_a"]
    page = await owner.client.get(f"/chargers/{world.charger_ids['owner_a']}")
    assert page.status_code == 200
    assert 'data-testid="pause"' not in page.text
    assert "commands to wallbox_cloud chargers are not available here" in page.text
