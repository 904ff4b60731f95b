"""No stored value makes a page or an API answer 500, on both databases.

Rows go straight into the book, as an old book (before the edge refused them) may hold them:
sessions stamped 0001-01-01 and 9999-12-30, samples whose power is Infinity (and NaN where
the database can hold one), a reading stamped 9999-12-30 at 22 kW. Every GET route of the
route table is asked about them; they are shown as unknown or skipped, never as a 500.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi import FastAPI

from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.db.book.tables import ChargingSessionRow, SessionSampleRow
from chargebook.db.core.canonical import canonical_json, sha256_hex
from chargebook.settings import Settings

from .helpers import World, build_world, make_app, mandate_ids
from .routes import ROUTES, Access

FAR_PAST = datetime(1, 1, 1, tzinfo=UTC)
FAR_FUTURE = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)  # the last hour: local time overflows


@pytest.fixture
async def world(
    web_settings: Settings, database: Database, clock: FixedClock
) -> AsyncIterator[World]:
    app: FastAPI = make_app(web_settings, database, clock)
    async with app.router.lifespan_context(app):
        world = await build_world(app)
        yield world
        for actor in world.actors.values():
            await actor.client.aclose()


def _session(world: World, external_id: str, started_at: datetime, energy_kwh: str = "5") -> int:
    text = canonical_json({"id": external_id})
    with world.database.transaction() as session:
        row = ChargingSessionRow(
            charger_id=world.charger_ids["owner_a"],
            source="wallbox_cloud",
            external_id=external_id,
            started_at=started_at,
            ended_at=started_at + timedelta(minutes=30),
            energy_kwh=Decimal(energy_kwh),
            discharged_energy_kwh=Decimal("0"),
            raw_payload=text,
            raw_sha256=sha256_hex(text),
            state="ok",
            first_seen_at=world.clock.now(),
            last_seen_at=world.clock.now(),
        )
        session.add(row)
        session.flush()
        return row.id


def _samples(
    world: World,
    session_id: int,
    values: list[tuple[datetime, float]],
    *,
    status: str = "charging",
    extra: str | None = None,
) -> None:
    with world.database.transaction() as session:
        for observed_at, power_kw in values:
            session.add(
                SessionSampleRow(
                    charger_id=world.charger_ids["owner_a"],
                    observed_at=observed_at,
                    power_kw=power_kw,
                    session_energy_kwh=power_kw,
                    status=status,
                    status_code=194,
                    extra=extra,
                    session_id=session_id,
                )
            )


def _fill(world: World) -> dict[str, int]:
    normal = world.session_ids["owner_a"]
    start = world.clock.now() - timedelta(days=1)
    bad = [
        (start + timedelta(minutes=5), float("inf")),
        (start + timedelta(minutes=6), -float("inf")),
    ]
    if world.database.engine.dialect.name == "postgresql":  # SQLite stores NaN as NULL
        bad.append((start + timedelta(minutes=7), float("nan")))
    _samples(world, normal, [*bad, (start + timedelta(minutes=10), 7.0)])
    far_future = _session(world, "far-future", FAR_FUTURE)
    _samples(world, far_future, [(FAR_FUTURE, 22.0)])
    # A state a later version renamed, and extra evidence that is not JSON.
    _samples(world, normal, [(start + timedelta(minutes=11), 6.0)], status="renamed", extra="{")
    _samples(world, normal, [(world.clock.now() - timedelta(minutes=1), 3.0)])
    return {
        "normal": normal,
        "far_past": _session(world, "far-past", FAR_PAST),
        "far_future": far_future,
    }


async def test_no_stored_value_makes_a_get_route_answer_500(world: World) -> None:
    sessions = _fill(world)
    failures = []
    for case in ROUTES:
        if case.method != "GET" or case.access is Access.PUBLIC:
            continue
        actor = world.actors["operator" if case.access is Access.OPERATOR else "owner_a"]
        for name, session_id in sessions.items():
            path = case.path.format(
                charger_id=world.charger_ids["owner_a"],
                session_id=session_id,
                statement_id=world.statement_ids["owner_a"],
                batch_id=1,
                follow_up_id=1,
                run_id=1,
                webhook_id=1,
                slug="easee",
                charge_point_id="CP-NONE",
                payout_statement_id=world.statement_ids["owner_a"],
                mandate_id=mandate_ids(world)["owner_a"],
                metered_charger_id=world.charger_ids["owner_a"],
                command="lock",
                name="x",
            )
            try:
                response = await actor.client.get(path, headers=actor.bearer())
            except Exception as error:  # the test transport raises what would be a 500
                failures.append(f"{path} ({name}): {type(error).__name__}: {error}")
                continue
            if response.status_code >= 500:
                failures.append(f"{path} ({name}): {response.status_code}")
            if "{session_id}" not in case.path:
                break
    assert failures == [], "\n".join(failures)


async def test_samples_json_skips_non_finite_values(world: World) -> None:
    sessions = _fill(world)
    client = world.actors["owner_a"].client
    response = await client.get(f"/sessions/{sessions['normal']}/samples.json")
    assert response.status_code == 200
    powers = [sample["power_kw"] for sample in response.json()["samples"]]
    assert 7.0 in powers
    assert all(isinstance(power, float | int) for power in powers)


async def test_monthly_energy_leaves_out_implausible_times(world: World) -> None:
    _fill(world)
    owner = world.actors["owner_a"]
    response = await owner.client.get("/api/v1/energy/monthly", headers=owner.bearer())
    assert response.status_code == 200
    months = [row["month"] for row in response.json()]
    assert months
    assert all(month.startswith("2026") for month in months), months


async def test_live_status_is_not_pinned_by_a_reading_from_the_future(world: World) -> None:
    _fill(world)
    client = world.actors["owner_a"].client
    response = await client.get(f"/chargers/{world.charger_ids['owner_a']}/live")
    assert response.status_code == 200
    assert response.json()["power_kw"] == 3.0
