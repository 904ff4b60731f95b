"""The served web demo plans smart charging offline, on the recorded demo prices."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from chargebook.db import ChargerRepository, UserRepository
from chargebook.demo.web import OWNER, demo_app
from chargebook.domain.prices import floor_to_slot
from chargebook.web.accounts import AccountService
from chargebook.web.context import WebContext
from chargebook.web.cookies import SESSION_COOKIE

DAILY_20_KWH_BY_7 = {
    "goal": "energy",
    "energy_kwh": "20",
    "departure": "07:00",
    "weekday": [str(day) for day in range(7)],
    "strategy": "cheapest",
    "min_block": "0",
}
LABEL = "demo prices recorded 16-18 Dec 2025"


def _twelve_hours_ahead(now: datetime) -> dict[str, Sequence[str]]:
    """The daily plan with its departure about 12 h from now, local time: a fixed 07:00 is
    too close to meet 20 kWh when the suite runs between 04:00 and 07:00 (the demo runs on the
    real clock)."""
    departure = (now.astimezone(ZoneInfo("Europe/Amsterdam")) + timedelta(hours=12)).hour
    return {**DAILY_20_KWH_BY_7, "departure": f"{departure:02d}:00"}


async def test_the_demo_apps_plan_preview_has_recorded_prices(isolated_data_dir: Path) -> None:
    app = demo_app(data_dir=isolated_data_dir / "demo-web", days=2)
    context: WebContext = app.state.context
    params = _twelve_hours_ahead(context.clock.now())
    async with app.router.lifespan_context(app):
        with context.database.transaction() as session:
            owner = UserRepository(session, context.clock).get_by_email(OWNER.email)
            assert owner is not None
            cookie = AccountService(session, context.clock, context.passwords).start_session(owner)
            charger = ChargerRepository(session, context.clock).list(owner_user_id=owner.id)[0]
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client:
            client.cookies.set(SESSION_COOKIE, cookie)
            url = f"/chargers/{charger.id}/plan"
            page = await client.get(url, params=params)
            response = await client.get(f"{url}/preview.json", params=params)
        assert context.prices is not None
        assert context.prices.name == LABEL  # no network source was built

    assert page.status_code == 200, page.text
    assert LABEL in page.text
    assert "Prices are unavailable" not in page.text
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["price_source"] == LABEL
    assert data["prices_complete"] is True
    assert data["state_message"] is None
    assert data["status"] == "optimised"
    slots = data["slots"]
    assert slots
    assert all(s["all_in_eur_per_kwh"] is not None for s in slots)
    assert sum(s["planned_kwh"] for s in slots) > 19.9

    # The chart's prices are the recorded ones, shifted onto today and tomorrow.
    departure = datetime.fromisoformat(data["departure"])
    start = floor_to_slot(datetime.fromisoformat(slots[0]["start"]))
    curve = await context.prices.get_prices(start, departure)
    assert [str(s.all_in_eur_per_kwh) for s in curve.slots] == [
        s["all_in_eur_per_kwh"] for s in slots
    ]
    assert Decimal(data["saving_eur"]) >= 0
    assert Decimal(data["cost_eur"]) <= Decimal(data["charge_now_cost_eur"])
