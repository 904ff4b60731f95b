"""Inside `chargebook serve` the controllers plan on the charger owner's tariff: with a fixed
price every planned quarter costs that price (the market's dear evening means nothing)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import httpx

from chargebook.account_sources import connect_account
from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database
from chargebook.db.core.testing import example_charger
from chargebook.db.smart.repository import SmartPlanRepository
from chargebook.domain.smart import RepeatingPlan
from chargebook.domain.tariffs import FixedTariff
from chargebook.prices import FilePriceSource
from chargebook.settings import Settings
from chargebook.simulator.wallbox import DEMO_EMAIL, SimulatorConfig, WallboxSimulator
from chargebook.tariffs.service import set_owner_tariff
from chargebook.web.app import create_app

from .helpers import FAST_HASHER, PRICES_FILE, context_of
from .test_smart_serve import CHARGER, _until

AMS = ZoneInfo("Europe/Amsterdam")


async def test_the_runtime_plans_at_the_owners_tariff(
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
    assert account.owner_user_id is not None
    with sqlite_database.transaction() as session:
        charger = ChargerRepository(session, clock).upsert(
            example_charger(CHARGER, max_current_a=16),
            account_id=account.id,
            owner_user_id=account.owner_user_id,
        )
        set_owner_tariff(
            session, clock, account.owner_user_id, FixedTariff(Decimal("0.28")), date(2025, 1, 1)
        )
        plan = RepeatingPlan(weekdays=frozenset(range(7)), departure=time(6, 45), energy_kwh=15.0)
        SmartPlanRepository(session, clock).add(charger.id, plan)

    async with app.router.lifespan_context(app):
        runtime = context.smart
        assert runtime is not None
        assert await _until(lambda: charger.id in runtime.controllers)
        controller = runtime.controllers[charger.id]
        assert await _until(lambda: controller.plan is not None)
        assert controller.plan is not None
        prices = {slot.price_eur_per_kwh for slot in controller.plan.slots}
        assert prices == {Decimal("0.28")}
