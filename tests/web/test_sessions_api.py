"""Sessions over the API: keyset pages with no duplicates and no gaps while sessions arrive
(SQLite and PostgreSQL), cursors that cannot be forged into errors, monthly energy."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest
from fastapi import FastAPI

from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database
from chargebook.db.core.testing import example_charger
from chargebook.settings import Settings

from .helpers import Actor, World, add_sessions, build_world, make_app


@pytest.fixture
async def any_world(
    web_settings: Settings, database: Database, clock: FixedClock
) -> AsyncIterator[World]:
    """The world on the parametrized `database` (SQLite and PostgreSQL)."""
    app: FastAPI = make_app(web_settings, database, clock)
    async with app.router.lifespan_context(app):
        world = await build_world(app)
        yield world
        for actor in world.actors.values():
            await actor.client.aclose()


async def _pages(
    actor: Actor, limit: int, between: Callable[[dict[str, object]], None] | None = None
) -> list[int]:
    seen: list[int] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        response = await actor.client.get("/api/v1/sessions", params=params, headers=actor.bearer())
        assert response.status_code == 200, response.text
        body = response.json()
        seen.extend(item["id"] for item in body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return seen
        if between is not None:
            between(body["items"][-1])


async def test_pages_have_no_duplicates_and_no_gaps_while_sessions_arrive(
    any_world: World,
) -> None:
    world, owner = any_world, any_world.actors["owner_a"]
    assert owner.user is not None
    # A second charger (merged per charger) and sessions with identical start times (ties).
    with world.database.transaction() as session:
        second = ChargerRepository(session, world.clock).upsert(
            example_charger("71000"), owner_user_id=owner.user.id
        )
    before = set(add_sessions(world.database, world.clock, second.id, count=40, prefix="s2-"))
    before |= set(
        add_sessions(world.database, world.clock, world.charger_ids["owner_a"], count=30,
                     prefix="s1-")
    )  # fmt: skip
    before.add(world.session_ids["owner_a"])
    arrived_older: set[int] = set()
    counter = iter(range(1000))

    def arrive(last_item: dict[str, object]) -> None:
        # A new session newer than everything (must not disturb the walk) and a late-synced
        # one older than the cursor (must still be found on a later page).
        n = next(counter)
        world.clock.advance(timedelta(minutes=1))
        add_sessions(world.database, world.clock, second.id, count=1, prefix=f"new{n}-")
        old_clock = FixedClock(world.clock.now() - timedelta(days=400 + n))
        arrived_older.update(
            add_sessions(world.database, old_clock, world.charger_ids["owner_a"], count=1,
                         prefix=f"late{n}-")
        )  # fmt: skip

    seen = await _pages(owner, 7, arrive)
    assert len(seen) == len(set(seen)), "a session was listed twice"
    assert before <= set(seen), "a session that existed before the walk was skipped"
    assert arrived_older <= set(seen), "a session older than the cursor was skipped"
    assert world.session_ids["owner_b"] not in seen


async def test_ties_on_start_time_are_ordered_by_id(app: FastAPI) -> None:
    world = await build_world(app)
    owner = world.actors["owner_a"]
    charger = world.charger_ids["owner_a"]
    same = FixedClock(world.clock.now())
    ids = [add_sessions(world.database, same, charger, count=1, prefix=f"tie{i}-")[0]
           for i in range(9)]  # fmt: skip
    seen = await _pages(owner, 2)
    tie_order = [i for i in seen if i in ids]
    assert tie_order == sorted(ids, reverse=True)
    for actor in world.actors.values():
        await actor.client.aclose()


@pytest.mark.parametrize(
    "cursor", ["garbage", "W10", "WyIyMDI2LTAxLTAxIiwgMV0", "WyJ4IiwxXQ", "eyJhIjoxfQ", "!" * 50]
)
async def test_bad_cursors_are_422_with_the_error_shape(world: World, cursor: str) -> None:
    owner = world.actors["owner_a"]
    response = await owner.client.get(
        "/api/v1/sessions", params={"cursor": cursor}, headers=owner.bearer()
    )
    assert response.status_code == 422
    assert response.json()["error"] == "InvalidInputError"


async def test_session_detail_and_monthly_energy(world: World) -> None:
    owner = world.actors["owner_a"]
    detail = await owner.client.get(
        f"/api/v1/sessions/{world.session_ids['owner_a']}", headers=owner.bearer()
    )
    assert detail.status_code == 200
    assert detail.json()["energy_kwh"] == "7.500000"
    assert detail.json()["duration_s"] == 7200
    months = await owner.client.get("/api/v1/energy/monthly", headers=owner.bearer())
    assert months.status_code == 200
    total = sum(int(m["session_count"]) for m in months.json())
    assert total == 3  # owner A's three sessions, not owner B's
    bad_zone = await owner.client.get(
        "/api/v1/energy/monthly", params={"time_zone": "Mars/Olympus"}, headers=owner.bearer()
    )
    assert bad_zone.status_code == 422
