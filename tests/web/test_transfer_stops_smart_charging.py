"""Issue 14: after a transfer (a house sale), the earlier owner's smart-charging plan never
drives the charger again: `serve`'s runtime stops its controller."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import httpx

from chargebook.account_sources import UNUSABLE_PASSWORD_HASH, connect_account
from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database, UserRepository
from chargebook.db.book.transfers import transfer_charger
from chargebook.db.core.testing import example_charger
from chargebook.db.smart.repository import SmartPlanRepository
from chargebook.domain.smart import RepeatingPlan
from chargebook.prices import FilePriceSource
from chargebook.settings import Settings
from chargebook.simulator.wallbox import DEMO_EMAIL, SimulatorConfig, WallboxSimulator
from chargebook.web.app import create_app

from .helpers import FAST_HASHER, PRICES_FILE, context_of
from .test_smart_serve import CHARGER, _until

AMS = ZoneInfo("Europe/Amsterdam")


async def test_a_transferred_chargers_old_plan_stops_driving_it(
    web_settings: Settings, sqlite_database: Database
) -> None:
    clock = FixedClock(datetime(2025, 12, 16, 21, 0, tzinfo=AMS))
    simulator = WallboxSimulator(SimulatorConfig(seed=1, days=1), clock=clock)
    transport = httpx.ASGITransport(app=simulator.app)
    settings = web_settings.model_copy(
        update={"web_run_central_system": False, "web_run_scheduler": False}
    )
    app = create_app(
        settings, database=sqlite_database, clock=clock, password_hasher=FAST_HASHER,
        wallbox_transport=transport, background=True,
    )  # fmt: skip
    context = context_of(app)
    context.prices = FilePriceSource(PRICES_FILE)
    account = await connect_account(
        settings, sqlite_database, context.box, clock,
        email=DEMO_EMAIL, password="demo-password", transport=transport,
    )  # fmt: skip
    plan = RepeatingPlan(weekdays=frozenset(range(7)), departure=time(6, 45), energy_kwh=15.0)
    with sqlite_database.transaction() as session:
        charger = ChargerRepository(session, clock).upsert(
            example_charger(CHARGER, max_current_a=16),
            account_id=account.id,
            owner_user_id=account.owner_user_id,
        )
        SmartPlanRepository(session, clock).add(charger.id, plan)
        UserRepository(session, clock).create(
            email="buyer@example.com", password_hash=UNUSABLE_PASSWORD_HASH
        )

    async with app.router.lifespan_context(app):
        runtime = context.smart
        assert runtime is not None
        assert await _until(lambda: charger.id in runtime.controllers)
        with sqlite_database.transaction() as session:
            transfer_charger(
                session, clock, charger_id=charger.id, to_email="buyer@example.com", actor="t"
            )
        runtime.wake()
        assert await _until(lambda: charger.id not in runtime.controllers)
        assert runtime.controllers == {}
