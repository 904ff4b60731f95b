"""A night on the owner's tariff (the prices the runtime hands a controller are priced at it,
`TariffedPriceSource`): day/night charges after 23:00 and the saving is the low price's, a
fixed price saves nothing. The same simulated night as test_night."""

from __future__ import annotations

from decimal import Decimal

from chargebook.clock import FixedClock
from chargebook.domain.prices import ChargeGoal
from chargebook.domain.tariffs import DayNightTariff, FixedTariff, Tariff, TariffSchedule
from chargebook.prices import FilePriceSource
from chargebook.prices.tariffed import TariffedPriceSource, fixed_schedule
from chargebook.simulator.wallbox import WallboxSimulator
from chargebook.smart import SmartController
from chargebook.wallbox.control import WallboxControl

from .helpers import CHARGER, LIMITS, local
from .test_night import DEPARTURE, GOAL_KWH, ListSavings, energy_at


async def _night(
    charger: WallboxControl, prices: FilePriceSource, clock: FixedClock, tariff: Tariff
) -> ListSavings:
    savings = ListSavings()
    priced = TariffedPriceSource(prices, fixed_schedule(TariffSchedule(tariff)))
    smart = SmartController(str(CHARGER), charger, priced, clock, limits=LIMITS, savings=savings)
    smart.set_goal(ChargeGoal(energy_kwh=GOAL_KWH, departure=DEPARTURE))
    await smart.run_until(local(17, 7, 30))
    return savings


async def test_day_night_waits_for_the_low_hours_and_saves_their_difference(
    sim: WallboxSimulator,
    charger: WallboxControl,
    prices: FilePriceSource,
    night_clock: FixedClock,
) -> None:
    tariff = DayNightTariff(Decimal("0.30"), Decimal("0.22"))
    savings = await _night(charger, prices, night_clock, tariff)
    # Nothing from 21:00 to 23:00 (a Tuesday: normal hours until 23:00; only the plug-in's
    # first readings before that), the goal by departure.
    assert energy_at(sim, local(16, 21)) < 0.1
    assert energy_at(sim, local(16, 23)) - energy_at(sim, local(16, 21)) == 0
    assert energy_at(sim, DEPARTURE) >= GOAL_KWH - 0.05
    (saving,) = savings.saved
    energy = saving.energy_kwh
    assert abs(saving.actual_cost_eur - energy * Decimal("0.22")) < Decimal("0.01")  # ±burst
    # Charging at once from 20:34 would have been at the normal price.
    assert abs(saving.charge_now_cost_eur - energy * Decimal("0.30")) < Decimal("0.01")
    assert saving.cost_complete


async def test_a_fixed_price_saves_nothing(
    sim: WallboxSimulator,
    charger: WallboxControl,
    prices: FilePriceSource,
    night_clock: FixedClock,
) -> None:
    savings = await _night(charger, prices, night_clock, FixedTariff(Decimal("0.28")))
    assert energy_at(sim, DEPARTURE) >= GOAL_KWH - 0.05
    (saving,) = savings.saved
    assert abs(saving.actual_cost_eur - saving.energy_kwh * Decimal("0.28")) < Decimal("0.01")
    assert saving.saving_eur == 0
