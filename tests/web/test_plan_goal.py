"""An impossible goal says why and what is possible; the charger page shows the active plan."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository
from chargebook.domain.prices import ChargeGoal
from chargebook.planner import explain, goal_feasibility
from chargebook.smart.limits import charger_limits

from .helpers import World

# Tue 16 Dec 2025 16:00 in Amsterdam.
NOW = datetime(2025, 12, 16, 15, 0, tzinfo=UTC)
EVERY_DAY = ["0", "1", "2", "3", "4", "5", "6"]
TOO_MUCH = {
    "goal": "energy",
    "energy_kwh": "60",
    "departure": "17:00",  # one hour from now
    "weekday": EVERY_DAY,
    "strategy": "cheapest",
    "min_block": "0",
}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def _expected_message(world: World) -> str:
    with world.database.session() as session:
        charger = ChargerRepository(session, world.clock).get(world.charger_ids["owner_a"])
    goal = ChargeGoal(60, datetime(2025, 12, 16, 16, 0, tzinfo=UTC))
    text = explain(goal_feasibility(goal, charger_limits(charger), now=NOW), "Europe/Amsterdam")
    assert text is not None
    return text


async def test_an_impossible_goal_says_why_and_what_is_possible(world: World) -> None:
    owner = world.actors["owner_a"]
    base = f"/chargers/{world.charger_ids['owner_a']}/plan"
    data = (await owner.client.get(f"{base}/preview.json", params=TOO_MUCH)).json()
    expected = _expected_message(world)
    assert data["goal_message"] == expected
    assert "cannot be charged by Tue 17:00" in expected
    assert "or leave at" in expected
    # The planner's own shortfall note is not said twice.
    assert not any(n.startswith("the goal cannot be met") for n in data["notes"])
    page = await owner.client.get(base, params=TOO_MUCH)  # the Preview button without script
    assert expected in page.text
    assert 'data-testid="goal-message" role="status" hidden' not in page.text


async def test_a_goal_that_fits_shows_no_goal_message(world: World) -> None:
    owner = world.actors["owner_a"]
    base = f"/chargers/{world.charger_ids['owner_a']}/plan"
    data = await owner.client.get(f"{base}/preview.json", params={**TOO_MUCH, "energy_kwh": "2"})
    assert data.json()["goal_message"] is None
    page = await owner.client.get(base)
    assert 'data-testid="goal-message" role="status" hidden' in page.text


async def test_an_out_of_range_goal_is_named_with_its_unit(world: World) -> None:
    owner = world.actors["owner_a"]
    base = f"/chargers/{world.charger_ids['owner_a']}/plan"
    response = await owner.client.get(
        f"{base}/preview.json", params={**TOO_MUCH, "energy_kwh": "400"}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "enter the energy to add (up to 200 kWh)"
    page = await owner.client.get(base, params={**TOO_MUCH, "energy_kwh": "400"})
    assert "Enter the energy to add (up to 200 kWh)." in page.text  # not "kwh"


async def test_the_charger_page_shows_the_active_plan(world: World) -> None:
    owner = world.actors["owner_a"]
    charger_id = world.charger_ids["owner_a"]
    page = await owner.client.get(f"/chargers/{charger_id}")
    assert 'data-testid="plan-departure"' not in page.text
    form = {**TOO_MUCH, "energy_kwh": "10", "departure": "07:00", "active": "on"}
    saved = await owner.client.post(
        f"/chargers/{charger_id}/plan", data={**form, "csrf_token": owner.csrf}
    )
    assert saved.status_code == 303
    page = await owner.client.get(f"/chargers/{charger_id}")
    assert "plan active" in page.text
    assert "10 kWh by" in page.text
    assert 'data-testid="plan-departure">Wed 07:00<' in page.text
    assert 'data-testid="plan-next-slot">' in page.text
    assert 'data-testid="plan-goal-message"' not in page.text
    # Nobody but the owner sees the plan on the page.
    operator = await world.actors["operator"].client.get(f"/chargers/{charger_id}")
    if operator.status_code == 200:
        assert 'data-testid="plan-departure"' not in operator.text
