"""Smart charging inside `chargebook serve`: the lifespan runs a controller for a charger with
an active plan, picks up a plan saved while it runs, drives the (simulated) Wallbox through
the app's command port, and stops when the plan goes away and when the app shuts down."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, time
from zoneinfo import ZoneInfo

import httpx

from chargebook.account_sources import connect_account
from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database
from chargebook.db.core.testing import example_charger
from chargebook.db.smart.repository import SmartPlanRepository
from chargebook.domain.smart import EventKind, RepeatingPlan
from chargebook.prices import FilePriceSource
from chargebook.settings import Settings
from chargebook.simulator.wallbox import DEMO_EMAIL, SimulatorConfig, WallboxSimulator
from chargebook.web.app import create_app
from chargebook.web.context import WebContext

from .helpers import FAST_HASHER, PRICES_FILE, context_of

AMS = ZoneInfo("Europe/Amsterdam")
# Seed 1: the demo account's Copper SB, whose car arrives 16 Dec 2025 20:34 local and charges.
CHARGER = "2595103"


async def _until(condition: Callable[[], bool], turns: int = 2000) -> bool:
    for _ in range(turns):
        if condition():
            return True
        await asyncio.sleep(0)
    return condition()


def _kinds(context: WebContext, book_id: int) -> set[EventKind]:
    assert context.smart is not None
    return {event.kind for event in context.smart.events(book_id)}


async def test_serve_runs_the_controller_for_chargers_with_an_active_plan(
    web_settings: Settings, sqlite_database: Database
) -> None:
    clock = FixedClock(datetime(2025, 12, 16, 21, 0, tzinfo=AMS))
    simulator = WallboxSimulator(SimulatorConfig(seed=1, days=1), clock=clock)
    transport = httpx.ASGITransport(app=simulator.app)
    settings = web_settings.model_copy(
        update={"web_run_central_system": False, "web_run_scheduler": False}
    )
    app = create_app(  # background=True: what `serve` runs
        settings, database=sqlite_database, clock=clock, password_hasher=FAST_HASHER,
        wallbox_transport=transport, background=True,
    )  # fmt: skip
    context = context_of(app)
    context.prices = FilePriceSource(PRICES_FILE)
    account = await connect_account(
        settings, sqlite_database, context.box, clock,
        email=DEMO_EMAIL, password="demo-password", transport=transport,
    )  # fmt: skip
    with sqlite_database.transaction() as session:
        charger = ChargerRepository(session, clock).upsert(
            example_charger(CHARGER, max_current_a=16),
            account_id=account.id,
            owner_user_id=account.owner_user_id,
        )
    plan = RepeatingPlan(weekdays=frozenset(range(7)), departure=time(6, 45), energy_kwh=15.0)

    async with app.router.lifespan_context(app):
        runtime = context.smart
        assert runtime is not None
        assert await _until(lambda: runtime.scans >= 1)
        assert runtime.controllers == {}  # no plan, no controller

        with sqlite_database.transaction() as session:
            SmartPlanRepository(session, clock).add(charger.id, plan)
        runtime.wake()  # what saving in the editor does
        assert await _until(lambda: charger.id in runtime.controllers)
        # 21:00 is dear; the night is cheaper: the controller pauses the charging car.
        assert await _until(lambda: EventKind.CHARGING_PAUSED in _kinds(context, charger.id))
        assert EventKind.PLUGGED_IN in _kinds(context, charger.id)
        controller = runtime.controllers[charger.id]
        assert controller.plan is not None
        assert controller.plan.goal.energy_kwh <= 15.0
        pauses = [
            r for r in simulator.request_log[DEMO_EMAIL]
            if r.method == "POST" and r.path.endswith("/remote-action")
        ]  # fmt: skip
        assert pauses, "the pause went to the cloud through the account's client"

        with sqlite_database.transaction() as session:
            repository = SmartPlanRepository(session, clock)
            for _, stored in repository.list(charger.id):
                assert stored.id is not None
                repository.remove(stored.id)
        runtime.wake()
        assert await _until(lambda: charger.id not in runtime.controllers)
    assert context.smart is None


async def test_serve_can_leave_smart_charging_out(
    web_settings: Settings, sqlite_database: Database, clock: FixedClock
) -> None:
    settings = web_settings.model_copy(
        update={
            "web_run_central_system": False,
            "web_run_scheduler": False,
            "web_run_smart_charging": False,
        }
    )
    app = create_app(
        settings, database=sqlite_database, clock=clock, password_hasher=FAST_HASHER,
        background=True,
    )  # fmt: skip
    async with app.router.lifespan_context(app):
        assert context_of(app).smart is None
