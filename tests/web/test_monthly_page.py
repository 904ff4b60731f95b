"""The owner's energy and cost per month on the web: the book's months (the same query as the
API's), only the viewer's chargers, and a clear message for a bad charger."""

from __future__ import annotations

import json
import re
from decimal import Decimal

from sqlalchemy import update

from chargebook.db.book.tables import ChargingSessionRow

from .helpers import World


def _chart(html: str) -> list[dict[str, object]]:
    found = re.search(r'<script type="application/json" id="monthly-data">(.*?)</script>', html)
    assert found is not None
    return json.loads(found.group(1))  # type: ignore[no-any-return]


def _set_cost(world: World, session_id: int, cost: str) -> None:
    with world.database.transaction() as session:
        session.execute(
            update(ChargingSessionRow)
            .where(ChargingSessionRow.id == session_id)
            .values(cost=Decimal(cost), currency="EUR")
        )


async def test_the_monthly_page_is_the_books_months_with_their_cost(world: World) -> None:
    owner = world.actors["owner_a"]
    _set_cost(world, world.session_ids["owner_a"], "2.4")
    page = await owner.client.get("/sessions/monthly")
    assert page.status_code == 200
    api = (await owner.client.get("/api/v1/energy/monthly", headers=owner.bearer())).json()
    chart = _chart(page.text)
    assert [row["month"] for row in chart] == [m["month"][:7] for m in api]
    assert [Decimal(str(row["energy_kwh"])) for row in chart] == [
        Decimal(str(m["energy_kwh"])) for m in api
    ]
    assert sum(row["sessions"] for row in chart) == 3  # type: ignore[misc]
    costs = [row["cost_eur"] for row in chart if row["cost_eur"] is not None]
    assert [Decimal(str(c)) for c in costs] == [Decimal("2.4000")]
    assert "€ 2.40" in page.text
    assert "1 of 3 sessions" in page.text  # the month's cost covers only the sessions that have one
    assert 'id="monthly-canvas"' in page.text
    assert "vendor/chart.umd.min.js" in page.text


async def test_the_sessions_page_links_to_the_monthly_view(world: World) -> None:
    owner = world.actors["owner_a"]
    page = await owner.client.get("/sessions")
    assert 'href="/sessions/monthly"' in page.text


async def test_only_the_viewers_chargers_count(world: World) -> None:
    owner_b = world.actors["owner_b"]
    _set_cost(world, world.session_ids["owner_a"], "99")
    page = await owner_b.client.get("/sessions/monthly")
    assert "€ 99.00" not in page.text
    assert sum(row["sessions"] for row in _chart(page.text)) == 3  # type: ignore[misc]
    other = await owner_b.client.get(
        "/sessions/monthly", params={"charger": str(world.charger_ids["owner_a"])}
    )
    assert other.status_code == 404


async def test_a_bad_charger_is_a_message_not_an_error_page(world: World) -> None:
    owner = world.actors["owner_a"]
    page = await owner.client.get("/sessions/monthly", params={"charger": "abc"})
    assert page.status_code == 422
    assert "Charger: unknown id." in page.text


async def test_an_empty_book_says_so(world: World) -> None:
    with world.database.transaction() as session:
        hidden = {"state": "quarantined", "quarantine_reason": "test"}
        session.execute(update(ChargingSessionRow).values(**hidden))
    page = await world.actors["owner_a"].client.get("/sessions/monthly")
    assert page.status_code == 200
    assert 'data-testid="no-months"' in page.text
