"""The dashboard and the charger page answer "what is this charger's state now" alike, and the
highlighted control follows that state (issue 18)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from chargebook.domain.models import ChargerSource, ChargerState

from .fake_control import FakeControl
from .helpers import World, context_of
from .test_freshness import reading_port

CARD_STATE = re.compile(r'<span class="state state-(\w+)" data-testid="state">')
PAGE_STATE = re.compile(r'<span class="state state-(\w+) big" data-field="state"')


def _button_class(page: str, name: str) -> str | None:
    found = re.search(rf'<button type="submit"(?: class="(\w+)")? data-testid="{name}">', page)
    assert found is not None, name
    return found.group(1)


@pytest.mark.parametrize(
    ("state", "power_shown", "highlighted"),
    [
        (ChargerState.CHARGING, "7.4 kW", "pause"),
        (ChargerState.PAUSED, "0.0 kW", "resume"),
        # The session ended: the book's last meter values (7.4 kW) are history, not now.
        (ChargerState.READY, "0.0 kW", None),
    ],
)
async def test_an_ocpp_like_charger_shows_its_reported_state_everywhere(
    world: World, state: ChargerState, power_shown: str, highlighted: str | None
) -> None:
    clock_status = reading_port(world.clock)._status
    assert clock_status is not None
    control = FakeControl(lambda cid: replace(clock_status(cid), state=state), live_reading=False)
    context_of(world.app).controls.register(ChargerSource.WALLBOX_CLOUD, control.factory)
    owner = world.actors["owner_a"]
    charger_id = world.charger_ids["owner_a"]

    dashboard = (await owner.client.get("/")).text
    page = (await owner.client.get(f"/chargers/{charger_id}")).text
    live = (await owner.client.get(f"/chargers/{charger_id}/live")).json()

    assert CARD_STATE.findall(dashboard) == [state.value]
    found = PAGE_STATE.search(page)
    assert found is not None
    assert found.group(1) == live["state"] == state.value
    assert f"<dd>{power_shown}</dd>" in dashboard
    assert live["suggested_command"] == highlighted
    for name in ("pause", "resume"):
        assert _button_class(page, name) == ("primary" if name == highlighted else None)
