"""Re-planning: when tomorrow's prices are published, when cars come and go (repeating
plans over two nights), and when departure passes with the goal not met (overrun)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from chargebook.clock import FixedClock
from chargebook.domain.prices import ChargeGoal, PlanStatus, PriceCurve, build_curve
from chargebook.domain.smart import EventKind, RepeatingPlan, SessionSaving
from chargebook.prices import FilePriceSource
from chargebook.simulator.wallbox import WallboxSimulator
from chargebook.smart import ControllerSettings, SmartController, StaticPlans
from chargebook.wallbox.control import WallboxControl

from .helpers import CHARGER, LIMITS, local

CHARGING = 194


class PublishingPrices:
    """The recorded prices, but only those published by `published_until` (a test knob)."""

    name = "publishing"

    def __init__(self, recorded: FilePriceSource, published_until: datetime) -> None:
        self._recorded = recorded
        self.published_until = published_until
        self.calls = 0

    async def get_prices(self, start: datetime, end: datetime) -> PriceCurve:
        self.calls += 1
        curve = await self._recorded.get_prices(start, end)
        known = [s for s in curve.slots if s.start < self.published_until]
        return build_curve(self.name, start, end, known)


class ListSavings:
    def __init__(self) -> None:
        self.saved: list[SessionSaving] = []

    def record_saving(self, saving: SessionSaving) -> None:
        self.saved.append(saving)


async def test_new_prices_trigger_a_replan_that_moves_charging_into_the_night(
    sim: WallboxSimulator,
    charger: WallboxControl,
    prices: FilePriceSource,
    night_clock: FixedClock,
) -> None:
    publishing = PublishingPrices(prices, published_until=local(17, 0))
    settings = ControllerSettings(price_refresh_s=900)
    smart = SmartController(
        str(CHARGER), charger, publishing, night_clock, limits=LIMITS, settings=settings
    )
    smart.set_goal(ChargeGoal(energy_kwh=15.0, departure=local(17, 6, 45)))
    await smart.run_until(local(16, 21))
    assert smart.plan is not None
    assert smart.plan.status is PlanStatus.PARTIAL_PRICES
    assert any(e.kind is EventKind.PRICES_UNAVAILABLE for e in smart.events)
    before = smart.plan

    publishing.published_until = local(18, 0)  # the rest of the night appears
    await smart.run_until(local(16, 21, 30))
    assert smart.plan.status is PlanStatus.OPTIMISED
    updated = [e for e in smart.events if e.kind is EventKind.PRICES_UPDATED]
    replanned = [e for e in smart.events if e.kind is EventKind.REPLANNED]
    assert len(updated) == 1
    assert any(e.message.startswith("new prices") for e in replanned)
    assert updated[0].at - local(16, 21) <= timedelta(seconds=settings.price_refresh_s)
    # Without tomorrow's prices the plan used known (evening) quarters; now it waits for night.
    assert any(s.start < local(17, 0) for s in before.slots)
    assert all(s.start >= local(17, 0) for s in smart.plan.slots)
    assert sim.view(CHARGER).status_id != CHARGING


async def test_plug_in_and_out_over_two_nights_with_a_repeating_plan(
    sim: WallboxSimulator,
    charger: WallboxControl,
    prices: FilePriceSource,
    night_clock: FixedClock,
) -> None:
    every_day = RepeatingPlan(weekdays=frozenset(range(7)), departure=time(6, 30), energy_kwh=10)
    savings = ListSavings()
    smart = SmartController(
        str(CHARGER),
        charger,
        prices,
        night_clock,
        limits=LIMITS,
        plans=StaticPlans([every_day]),
        savings=savings,
    )
    await smart.run_until(local(18, 12))

    sessions = [
        s for s in sim.state(CHARGER).plan.started_by(local(18, 12)) if s.start > local(16, 12)
    ]
    kinds = [e.kind for e in smart.events]
    assert kinds.count(EventKind.PLUGGED_IN) == len(sessions) >= 2
    assert kinds.count(EventKind.UNPLUGGED) == len(sessions)
    assert kinds.count(EventKind.PLANNED) == len(sessions)
    assert len(savings.saved) == len(sessions)
    for session, saving in zip(sessions, savings.saved, strict=True):
        assert abs(saving.plugged_in_at - session.start).total_seconds() < 300
        assert abs(saving.unplugged_at - session.end).total_seconds() <= 300
        assert 9.95 <= float(saving.energy_kwh) <= 10.5
        assert saving.saving_eur > 0
    assert not smart.session_active


async def test_a_missed_departure_warns_and_keeps_charging(
    sim: WallboxSimulator,
    charger: WallboxControl,
    prices: FilePriceSource,
    night_clock: FixedClock,
) -> None:
    # 16 kWh at the car's 6.72 kW needs 2 h 23 min; departure is 2 h after plug-in.
    smart = SmartController(str(CHARGER), charger, prices, night_clock, limits=LIMITS)
    smart.set_goal(ChargeGoal(energy_kwh=16.0, departure=local(16, 22, 35)))
    await smart.run_until(local(16, 22, 50))

    overruns = [e for e in smart.events if e.kind is EventKind.PLAN_OVERRUN]
    assert len(overruns) == 1
    assert overruns[0].warning
    assert local(16, 22, 35) <= overruns[0].at < local(16, 22, 40)
    assert sim.view(CHARGER).status_id == CHARGING  # still charging after departure
    await smart.run_until(local(16, 23, 30))
    assert any(e.kind is EventKind.GOAL_REACHED for e in smart.events)
    assert sim.view(CHARGER).status_id != CHARGING
