"""The plan editor and the savings history: the preview is the planner's output on the
recorded prices, saving stores the plan (CSRF, owner only), "no prices for tomorrow yet" is a
state, and the savings page sums the ledger per day and month."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from chargebook.clock import FixedClock
from chargebook.db.smart.repository import SmartPlanRepository, SmartSavingRepository
from chargebook.domain.prices import (
    SLOT,
    ChargeGoal,
    PlanOptions,
    Strategy,
    floor_to_slot,
)
from chargebook.domain.smart import RepeatingPlan, SessionSaving
from chargebook.planner import preview_plan
from chargebook.prices import FilePriceSource
from chargebook.smart.limits import charger_limits

from .helpers import PRICES_FILE, World

AMS = ZoneInfo("Europe/Amsterdam")
QUERY = {
    "goal": "energy",
    "energy_kwh": "20",
    "departure": "07:00",
    "weekday": ["0", "1", "2", "3", "4"],
    "strategy": "cheapest",
    "min_block": "0",
}


@pytest.fixture
def clock() -> FixedClock:
    # Tue 16 Dec 2025 16:00 in Amsterdam: prices are known until Thu 18 Dec 24:00.
    return FixedClock(datetime(2025, 12, 16, 15, 0, tzinfo=UTC))


def _plans(world: World, owner: str = "owner_a") -> list[RepeatingPlan]:
    with world.database.session() as session:
        repository = SmartPlanRepository(session, world.clock)
        return [plan for _, plan in repository.list(world.charger_ids[owner])]


async def _expected(world: World, options: PlanOptions, energy_kwh: float = 20.0) -> object:
    with world.database.session() as session:
        from chargebook.db import ChargerRepository

        charger = ChargerRepository(session, world.clock).get(world.charger_ids["owner_a"])
    now = world.clock.now()
    departure = datetime(2025, 12, 17, 7, 0, tzinfo=AMS)  # the next weekday 07:00
    curve = await FilePriceSource(PRICES_FILE).get_prices(floor_to_slot(now), departure)
    goal = ChargeGoal(energy_kwh=energy_kwh, departure=departure)
    return preview_plan(goal, charger_limits(charger), curve, now=now, options=options)


async def test_preview_json_is_the_planners_output(world: World) -> None:
    owner = world.actors["owner_a"]
    url = f"/chargers/{world.charger_ids['owner_a']}/plan/preview.json"
    response = await owner.client.get(url, params=QUERY)
    assert response.status_code == 200, response.text
    data = response.json()
    expected = await _expected(world, PlanOptions())
    assert data["departure"] == "2025-12-17T06:00:00+00:00"
    assert Decimal(data["cost_eur"]) == expected.plan.cost_eur  # type: ignore[attr-defined]
    assert Decimal(data["charge_now_cost_eur"]) == expected.charge_now.cost_eur  # type: ignore[attr-defined]
    assert Decimal(data["saving_eur"]) == expected.saving_eur  # type: ignore[attr-defined]
    assert Decimal(data["saving_eur"]) > 0  # the night is cheaper than the evening peak
    assert data["prices_complete"] is True
    assert data["state_message"] is None
    # One chart slot per quarter until departure; the highlighted ones are the plan's.
    slots = data["slots"]
    assert len(slots) == (timedelta(hours=15) // SLOT)
    charged = {s["start"] for s in slots if s["planned_kwh"] > 0}
    planned = {floor_to_slot(s.start).isoformat() for s in expected.plan.slots}  # type: ignore[attr-defined]
    assert charged == planned
    assert sum(s["planned_kwh"] for s in slots) == pytest.approx(20.0, abs=1e-3)
    assert all(s["all_in_eur_per_kwh"] is not None for s in slots)
    first = slots[0]
    assert Decimal(first["all_in_eur_per_kwh"]) > Decimal(first["market_eur_per_kwh"])


async def test_price_cap_and_minimum_run_reach_the_planner(world: World) -> None:
    owner = world.actors["owner_a"]
    url = f"/chargers/{world.charger_ids['owner_a']}/plan/preview.json"
    query = {**QUERY, "strategy": "price_cap", "price_cap": "0.25", "min_block": "60"}
    data = (await owner.client.get(url, params=query)).json()
    options = PlanOptions(
        strategy=Strategy.PRICE_CAP,
        price_cap_eur_per_kwh=Decimal("0.25"),
        min_block=timedelta(minutes=60),
    )
    expected = await _expected(world, options)
    assert Decimal(data["cost_eur"]) == expected.plan.cost_eur  # type: ignore[attr-defined]
    cheapest = await _expected(world, PlanOptions())
    assert Decimal(data["cost_eur"]) != cheapest.plan.cost_eur  # type: ignore[attr-defined]


async def test_editor_page_shows_the_preview_and_the_chart(world: World) -> None:
    owner = world.actors["owner_a"]
    page = await owner.client.get(f"/chargers/{world.charger_ids['owner_a']}/plan")
    assert page.status_code == 200
    expected = await _expected(world, PlanOptions())  # the default plan: 20 kWh by 07:00
    assert f"€ {expected.plan.cost_eur:,.2f}" in page.text  # type: ignore[attr-defined]
    assert f"€ {expected.saving_eur:,.2f}" in page.text  # type: ignore[attr-defined]
    assert 'id="plan-canvas"' in page.text
    assert "vendor/chart.umd.min.js" in page.text
    assert "No plan yet" in page.text
    assert 'data-testid="no-prices" hidden' in page.text


async def test_no_prices_for_tomorrow_is_a_state(world: World) -> None:
    world.clock.set(datetime(2025, 12, 18, 12, 0, tzinfo=UTC))  # Thu 13:00: Friday unknown
    owner = world.actors["owner_a"]
    base = f"/chargers/{world.charger_ids['owner_a']}/plan"
    data = (await owner.client.get(f"{base}/preview.json", params=QUERY)).json()
    assert data["prices_complete"] is False
    assert data["prices_known_until"] == "2025-12-18T23:00:00+00:00"
    assert data["state_message"].startswith("No prices for tomorrow yet")
    assert any(s["all_in_eur_per_kwh"] is None for s in data["slots"])
    page = await owner.client.get(base)
    assert "No prices for tomorrow yet" in page.text
    assert 'data-testid="no-prices" hidden' not in page.text


async def test_save_stores_the_plan_and_the_page_shows_it(world: World) -> None:
    owner = world.actors["owner_a"]
    base = f"/chargers/{world.charger_ids['owner_a']}/plan"
    form = {
        **QUERY,
        "goal": "soc",
        "target_soc_pct": "80",
        "capacity_kwh": "64",
        "departure": "06:30",
        "weekday": ["5", "6"],
        "strategy": "continuous",
        "min_block": "30",
        "active": "on",
        "csrf_token": owner.csrf,
    }
    response = await owner.client.post(base, data=form)
    assert response.status_code == 303
    assert response.headers["location"] == f"{base}?done=saved"
    [plan] = _plans(world)
    assert plan.weekdays == {5, 6}
    assert plan.departure == time(6, 30)
    assert (plan.target_soc_pct, plan.capacity_kwh, plan.energy_kwh) == (80.0, 64.0, None)
    assert plan.strategy is Strategy.CONTINUOUS
    assert plan.min_block_minutes == 30
    assert plan.active
    assert plan.time_zone == "Europe/Amsterdam"
    page = await owner.client.get(f"{base}?done=saved")
    assert "Plan saved" in page.text
    assert "Plan active" in page.text
    assert 'value="06:30"' in page.text
    # Saving again replaces it (one plan per charger in the editor); unticked = paused.
    form = {**QUERY, "csrf_token": owner.csrf}
    assert (await owner.client.post(base, data=form)).status_code == 303
    [plan] = _plans(world)
    assert plan.energy_kwh == 20.0
    assert not plan.active
    assert "Plan paused" in (await owner.client.get(base)).text
    # Remove: smart charging off.
    remove = await owner.client.post(f"{base}/remove", data={"csrf_token": owner.csrf})
    assert remove.status_code == 303
    assert _plans(world) == []


async def test_save_needs_the_csrf_token_and_valid_fields(world: World) -> None:
    owner = world.actors["owner_a"]
    base = f"/chargers/{world.charger_ids['owner_a']}/plan"
    for token in (None, "0" * 64):
        data = {**QUERY, **({"csrf_token": token} if token else {})}
        assert (await owner.client.post(base, data=data)).status_code == 403
    bad = {**QUERY, "energy_kwh": "lots", "csrf_token": owner.csrf}
    response = await owner.client.post(base, data=bad)
    assert response.status_code == 422
    assert "Enter a number for the energy" in response.text
    assert 'aria-invalid="true"' in response.text
    no_days = {k: v for k, v in QUERY.items() if k != "weekday"} | {"csrf_token": owner.csrf}
    assert (await owner.client.post(base, data=no_days)).status_code == 422
    assert _plans(world) == []


async def test_only_the_owner_sees_or_changes_the_plan(world: World) -> None:
    a_id = world.charger_ids["owner_a"]
    base = f"/chargers/{a_id}/plan"
    for name in ("owner_b", "operator"):
        actor = world.actors[name]
        assert (await actor.client.get(base)).status_code == 404
        assert (await actor.client.get(f"{base}/preview.json", params=QUERY)).status_code == 404
        post = await actor.client.post(base, data={**QUERY, "csrf_token": actor.csrf})
        assert post.status_code == 404
        api = await actor.client.get(f"/api/v1/chargers/{a_id}/plan", headers=actor.bearer())
        assert api.status_code == 404
    anonymous = world.actors["anonymous"].client
    page = await anonymous.get(base)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login")
    assert (await anonymous.get(f"/api/v1/chargers/{a_id}/plan")).status_code == 401
    assert _plans(world) == []
    # The owner's charger page links to the editor; the operator's view of it does not.
    owner_page = await world.actors["owner_a"].client.get(f"/chargers/{a_id}")
    assert 'data-testid="plan-link"' in owner_page.text
    operator_page = await world.actors["operator"].client.get(f"/chargers/{a_id}")
    assert 'data-testid="plan-link"' not in operator_page.text


async def test_api_put_get_and_preview(world: World) -> None:
    owner = world.actors["owner_a"]
    base = f"/api/v1/chargers/{world.charger_ids['owner_a']}/plan"
    assert (await owner.client.get(base, headers=owner.bearer())).json()["plan"] is None
    body = {"energy_kwh": 20, "departure": "07:00", "weekdays": [0, 1, 2, 3, 4]}
    put = await owner.client.put(base, json=body, headers=owner.bearer())
    assert put.status_code == 200, put.text
    stored = (await owner.client.get(base, headers=owner.bearer())).json()["plan"]
    assert stored["weekdays"] == [0, 1, 2, 3, 4]
    assert stored["strategy"] == "cheapest"
    assert stored["time_zone"] == "Europe/Amsterdam"
    [plan] = _plans(world)
    assert plan.energy_kwh == 20.0
    preview = await owner.client.post(f"{base}/preview", json=body, headers=owner.bearer())
    assert preview.status_code == 200
    page_json = await owner.client.get(
        f"/chargers/{world.charger_ids['owner_a']}/plan/preview.json", params=QUERY
    )
    assert preview.json()["cost_eur"] == page_json.json()["cost_eur"]
    assert preview.json()["saving_eur"] == page_json.json()["saving_eur"]
    for wrong in ({**body, "target_soc_pct": 80}, {**body, "weekdays": [7]},
                  {**body, "strategy": "price_cap"}, {**body, "departure": "25:00"}):  # fmt: skip
        response = await owner.client.put(base, json=wrong, headers=owner.bearer())
        assert response.status_code == 422, wrong
    schema = (await owner.client.get("/openapi.json")).json()
    assert "/api/v1/chargers/{charger_id}/plan/preview" in schema["paths"]


def _saving(day: int, month: int, actual: str, now: str, kwh: str = "15") -> SessionSaving:
    plugged = datetime(2025, month, day, 19, 0, tzinfo=AMS)
    return SessionSaving(
        charger_id="70000",
        plugged_in_at=plugged,
        unplugged_at=plugged + timedelta(hours=12),
        energy_kwh=Decimal(kwh),
        actual_cost_eur=Decimal(actual),
        charge_now_cost_eur=Decimal(now),
    )


async def test_savings_page_sums_per_day_and_month(world: World) -> None:
    with world.database.transaction() as session:
        repository = SmartSavingRepository(session, world.clock)
        for saving in (
            _saving(14, 12, "3.10", "4.60"),
            _saving(15, 12, "2.90", "4.10"),
            _saving(30, 11, "3.50", "4.00", kwh="18"),
        ):
            repository.record(world.charger_ids["owner_a"], saving)
    page = await world.actors["owner_a"].client.get("/savings")
    assert page.status_code == 200
    text = page.text
    assert "€ 3.20" in text  # total: 1.50 + 1.20 + 0.50
    assert "€ 9.50" in text
    assert "€ 12.70" in text
    assert "2025-12" in text
    assert "2025-11" in text
    assert "2025-12-15" in text
    assert "€ 2.70" in text  # December
    assert 'id="savings-canvas"' in text
    other = await world.actors["owner_b"].client.get("/savings")
    assert 'data-testid="no-savings"' in other.text
    assert "€ 3.20" not in other.text
    assert "€ 3.20" in (await world.actors["operator"].client.get("/savings")).text
