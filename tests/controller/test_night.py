"""A whole night against the Wallbox simulator: the real client, the 5-writes-a-minute
budget, and read-back confirmation that catches writes the charger ignored."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal

from chargebook.clock import FixedClock
from chargebook.domain.prices import SLOT, ChargeGoal, ChargerLimits, floor_to_slot
from chargebook.domain.smart import EventKind, SessionSaving
from chargebook.planner import preview_plan
from chargebook.prices import FilePriceSource
from chargebook.simulator.wallbox import WallboxSimulator
from chargebook.smart import ControllerSettings, SmartController
from chargebook.wallbox.control import WallboxControl

from .helpers import (
    CHARGER,
    LIMITS,
    IgnoringTransport,
    local,
    max_writes_per_minute,
    remote_action,
    writes,
)

DEPARTURE = local(17, 6, 45)
GOAL_KWH = 15.0
PAUSED, CHARGING = 182, 194


class ListSavings:
    def __init__(self) -> None:
        self.saved: list[SessionSaving] = []

    def record_saving(self, saving: SessionSaving) -> None:
        self.saved.append(saving)


def energy_at(sim: WallboxSimulator, moment: datetime) -> float:
    state = sim.state(CHARGER)
    session = state.plan.started_by(moment)[-1]
    return state.outcome(session, moment).energy_kwh


def controller(
    charger: WallboxControl,
    prices: FilePriceSource,
    clock: FixedClock,
    **kwargs: object,
) -> SmartController:
    return SmartController(str(CHARGER), charger, prices, clock, limits=LIMITS, **kwargs)  # type: ignore[arg-type]


async def test_a_night_pauses_outside_cheap_slots_and_delivers_by_departure(
    sim: WallboxSimulator,
    charger: WallboxControl,
    prices: FilePriceSource,
    night_clock: FixedClock,
) -> None:
    savings = ListSavings()
    smart = controller(charger, prices, night_clock, savings=savings)
    smart.set_goal(ChargeGoal(energy_kwh=GOAL_KWH, departure=DEPARTURE))
    await smart.run_until(local(17, 7, 30))

    session = sim.state(CHARGER).plan.started_by(DEPARTURE)[-1]
    assert session.start < local(16, 21) < DEPARTURE < session.end  # the night we planned for
    delivered = energy_at(sim, DEPARTURE)
    assert GOAL_KWH - 0.05 <= delivered <= GOAL_KWH + 0.5

    # What the car drew, quarter by quarter, priced at the recorded all-in prices.
    curve = await prices.get_prices(session.start, DEPARTURE)
    price = {s.start: s.all_in_eur_per_kwh for s in curve.slots}
    quarter, cost, charged = floor_to_slot(session.start), Decimal(0), []
    while quarter < DEPARTURE:
        kwh = energy_at(sim, min(quarter + SLOT, DEPARTURE)) - energy_at(
            sim, max(quarter, session.start)
        )
        cost += Decimal(f"{kwh:.6f}") * price[quarter]
        if kwh > 0.05:
            charged.append(quarter)
        quarter += SLOT
    # Paused in the expensive evening, resumed in (several) cheap runs at night.
    assert energy_at(sim, local(16, 23)) - energy_at(sim, local(16, 21)) == 0
    runs = sum(1 for a, b in itertools.pairwise(charged) if b - a > SLOT) + 1
    assert runs >= 2
    kinds = [e.kind for e in smart.events]
    assert kinds.count(EventKind.CHARGING_PAUSED) >= 2
    assert kinds.count(EventKind.CHARGING_RESUMED) >= 2

    # Close to the optimum for this car (6.72 kW) from plug-in, far below charging at once.
    car = ChargerLimits(max_current_a=16, min_current_a=6, phases=3, max_power_kw=session.power_kw)
    best = preview_plan(ChargeGoal(GOAL_KWH, DEPARTURE), car, curve, now=session.start)
    assert cost <= best.plan.cost_eur * Decimal("1.03")
    assert cost < best.charge_now.cost_eur - Decimal("0.4")

    # The Wallbox write budget held, and few writes were needed at all.
    assert max_writes_per_minute(sim) <= 5
    assert len(writes(sim)) <= 12

    # The saving of the session was recorded when the car left.
    assert len(savings.saved) == 1
    saving = savings.saved[0]
    assert abs(float(saving.energy_kwh) - energy_at(sim, session.end)) < 0.01
    assert abs(saving.actual_cost_eur - cost) < Decimal("0.05")
    assert saving.saving_eur > Decimal("0.4")
    assert saving.cost_complete


async def test_an_ignored_pause_is_caught_by_the_read_back_and_repeated(
    sim: WallboxSimulator,
    charger: WallboxControl,
    prices: FilePriceSource,
    night_clock: FixedClock,
    transport: IgnoringTransport,
) -> None:
    transport.rule, transport.ignore_left = remote_action(2), 1
    smart = controller(charger, prices, night_clock)
    smart.set_goal(ChargeGoal(energy_kwh=GOAL_KWH, departure=DEPARTURE))
    await smart.run_until(local(16, 21, 30))

    assert transport.ignored == 1
    pauses = [r for r in writes(sim) if r.path.endswith("/remote-action")]
    assert len(pauses) == 2  # the ignored one and the repeat
    kinds = [e.kind for e in smart.events]
    assert kinds.index(EventKind.WRITE_RETRIED) < kinds.index(EventKind.CHARGING_PAUSED)
    assert "after 2 attempts" in next(
        e.message for e in smart.events if e.kind is EventKind.CHARGING_PAUSED
    )
    assert sim.view(CHARGER).status_id == PAUSED


async def test_a_charger_that_never_follows_gets_a_bounded_number_of_writes(
    sim: WallboxSimulator,
    charger: WallboxControl,
    prices: FilePriceSource,
    night_clock: FixedClock,
    transport: IgnoringTransport,
) -> None:
    transport.rule, transport.ignore_left = remote_action(2), 1000
    settings = ControllerSettings(write_attempts=3, poll_interval_s=300)
    smart = controller(charger, prices, night_clock, settings=settings)
    smart.set_goal(ChargeGoal(energy_kwh=GOAL_KWH, departure=DEPARTURE))
    await smart.run_until(local(16, 21, 35))

    unconfirmed = [e for e in smart.events if e.kind is EventKind.WRITE_UNCONFIRMED]
    pauses = [r for r in writes(sim) if r.path.endswith("/remote-action")]
    # one hour after plug-in: at most one tick every 5 minutes, 3 attempts per tick
    assert 1 <= len(unconfirmed) <= 13
    assert len(pauses) == 3 * len(unconfirmed)
    assert unconfirmed[0].at - smart.events[0].at < timedelta(minutes=2)
    assert max_writes_per_minute(sim) <= 5
    assert sim.view(CHARGER).status_id == CHARGING  # it really did not follow
