"""A repeating plan's strategy, price cap and minimum run: stored (SQLite and PostgreSQL),
used by the controller for the session it starts, and re-read when the plans change."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest

from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database
from chargebook.db.core.testing import example_charger
from chargebook.db.smart.repository import SmartPlanRepository
from chargebook.db.smart.store import DatabaseSmartStore
from chargebook.domain.control import ControlCapabilities, ControlFeature
from chargebook.domain.models import ChargerState, ChargerStatus, MidMeter
from chargebook.domain.prices import Strategy
from chargebook.domain.smart import RepeatingPlan
from chargebook.prices import FilePriceSource
from chargebook.smart import SmartController
from chargebook.smart.runtime import runs

from .helpers import LIMITS, QUARTER_FILE, local


class FakeCharger:
    """A car that is plugged in and draws 11 kW whenever it is allowed to."""

    def __init__(self, clock: FixedClock) -> None:
        self._clock = clock
        self.on = True
        self.energy_kwh = 0.0
        self._last = clock.now()

    def capabilities(self, charger_id: str) -> ControlCapabilities:
        return ControlCapabilities("Fake", frozenset(ControlFeature))

    async def read(self, charger_id: str) -> ChargerStatus:
        now = self._clock.now()
        if self.on:
            self.energy_kwh += 11.04 * (now - self._last).total_seconds() / 3600
        self._last = now
        return ChargerStatus(
            charger_id, now, ChargerState.CHARGING if self.on else ChargerState.PAUSED, None,
            car_connected=True, charging_power_kw=11.04 if self.on else 0.0,
            session_energy_kwh=self.energy_kwh, session_duration_s=None,
            discharged_energy_kwh=0.0, locked=False, max_charging_current_a=16,
            max_available_current_a=32, icp_max_current_a=None, energy_price_per_kwh=None,
            currency=None, firmware_version=None, firmware_update_available=False,
            eco_smart=None, mid=MidMeter(enabled=False),
        )  # fmt: skip

    async def set_charging(self, charger_id: str, on: bool) -> None:
        await self.read(charger_id)
        self.on = on

    async def set_current(self, charger_id: str, amps: int) -> None:
        return None

    async def set_locked(self, charger_id: str, locked: bool) -> None:
        return None

    async def restart(self, charger_id: str) -> None:
        return None

    async def set_energy_price(self, charger_id: str, price_per_kwh: Decimal) -> None:
        return None


class ListPlans:
    def __init__(self, plans: list[RepeatingPlan]) -> None:
        self.plans = plans

    def repeating_plans(self, charger_id: str) -> list[RepeatingPlan]:
        return list(self.plans)


def test_strategy_cap_and_minimum_run_are_stored(database: Database, clock: FixedClock) -> None:
    with database.transaction() as session:
        book_id = ChargerRepository(session, clock).upsert(example_charger("333")).id
        SmartPlanRepository(session, clock).add(
            book_id,
            RepeatingPlan(
                frozenset({0, 3}), time(6, 15), energy_kwh=12.0,
                strategy=Strategy.PRICE_CAP, price_cap_eur_per_kwh=Decimal("0.2375"),
                min_block_minutes=45,
            ),
        )  # fmt: skip
        SmartPlanRepository(session, clock).add(
            book_id, RepeatingPlan(frozenset({6}), time(9, 0), energy_kwh=5.0)
        )
    capped, plain = DatabaseSmartStore(database, clock).repeating_plans("333")
    assert capped.strategy is Strategy.PRICE_CAP
    assert capped.price_cap_eur_per_kwh == Decimal("0.2375")
    assert capped.min_block_minutes == 45
    options = capped.plan_options()
    assert options.min_block == timedelta(minutes=45)
    assert options.price_cap_eur_per_kwh == Decimal("0.2375")
    assert (plain.strategy, plain.price_cap_eur_per_kwh, plain.min_block_minutes) == (
        Strategy.CHEAPEST, None, 0,
    )  # fmt: skip


def test_a_price_cap_plan_needs_its_cap() -> None:
    with pytest.raises(ValueError, match="price_cap_eur_per_kwh"):
        RepeatingPlan(frozenset({0}), time(7), energy_kwh=5.0, strategy=Strategy.PRICE_CAP)


async def test_the_controller_plans_with_the_plans_strategy_and_follows_edits() -> None:
    clock = FixedClock(local(16, 21, 0))
    every_day = frozenset(range(7))
    plans = ListPlans(
        [RepeatingPlan(every_day, time(6, 45), energy_kwh=15.0, strategy=Strategy.CONTINUOUS)]
    )
    controller = SmartController(
        "1", FakeCharger(clock), FilePriceSource(QUARTER_FILE), clock,
        limits=LIMITS, plans=plans,
    )  # fmt: skip
    await controller.tick()
    assert controller.plan is not None
    assert controller.plan.strategy is Strategy.CONTINUOUS
    assert len(runs(controller.plan.slots)) == 1
    assert controller.plan.goal.energy_kwh == pytest.approx(15.0, abs=0.01)

    plans.plans = [RepeatingPlan(every_day, time(6, 45), energy_kwh=8.0)]
    controller.plans_changed()
    clock.advance(60)
    await controller.tick()
    assert controller.plan.strategy is Strategy.CHEAPEST
    assert controller.plan.goal.energy_kwh <= 8.0
    assert controller.plan.goal.departure < datetime(2025, 12, 17, 6, 45, tzinfo=local(1, 0).tzinfo)
