"""The planner on the owner's tariff: a fixed price shifts nothing, day/night charges in the
low hours, dynamic follows the market (through `TariffedPriceSource`, as the app plans)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from chargebook.domain.prices import (
    SLOT,
    ChargeGoal,
    ChargerLimits,
    PriceCurve,
    PriceSlot,
    build_curve,
)
from chargebook.domain.tariffs import (
    DayNightTariff,
    DynamicTariff,
    FixedTariff,
    LowHours,
    Tariff,
    TariffSchedule,
)
from chargebook.planner import preview_plan
from chargebook.prices.tariffed import TariffedPriceSource, fixed_schedule

AMS = ZoneInfo("Europe/Amsterdam")
# Tuesday 10 March 2026, 18:00 in Amsterdam (17:00 UTC); the car leaves at 07:00.
NOW = datetime(2026, 3, 10, 18, 0, tzinfo=AMS).astimezone(UTC)
DEPARTURE = datetime(2026, 3, 11, 7, 0, tzinfo=AMS).astimezone(UTC)
LIMITS = ChargerLimits(phases=1, max_power_kw=4)  # 1 kWh a quarter


def _market(start: datetime, end: datetime) -> list[PriceSlot]:
    """Dear evening, cheapest market quarters at 19:00-20:00 local (a windy evening)."""
    slots = []
    moment = start
    while moment < end:
        hour = moment.astimezone(AMS).hour
        market = Decimal("0.01") if hour == 19 else Decimal("0.15")
        slots.append(PriceSlot(moment, market, market))  # the source's all-in: ignored
        moment += SLOT
    return slots


class _Market:
    name = "market"

    async def get_prices(self, start: datetime, end: datetime) -> PriceCurve:
        return build_curve(self.name, start, end, _market(start, end))


async def _plan_hours(tariff: Tariff, energy_kwh: float = 4) -> tuple[list[int], Decimal, Decimal]:
    source = TariffedPriceSource(_Market(), fixed_schedule(TariffSchedule(tariff)))
    curve = await source.get_prices(NOW, DEPARTURE)
    preview = preview_plan(ChargeGoal(energy_kwh, DEPARTURE), LIMITS, curve, now=NOW)
    hours = sorted({s.start.astimezone(AMS).hour for s in preview.plan.slots})
    return hours, preview.plan.cost_eur, preview.saving_eur


async def test_day_night_charges_in_the_low_hours() -> None:
    hours, cost, saving = await _plan_hours(DayNightTariff(Decimal("0.30"), Decimal("0.22")))
    assert all(hour >= 23 or hour < 7 for hour in hours), hours
    assert cost == Decimal("0.88")  # 4 kWh × €0.22
    assert saving == Decimal("0.32")  # against 4 kWh × €0.30 at once


async def test_day_night_follows_configured_low_hours() -> None:
    evening = LowHours(start=time(21, 0), end=time(23, 0))
    hours, cost, _ = await _plan_hours(DayNightTariff(Decimal("0.30"), Decimal("0.22"), evening))
    assert set(hours) <= {21, 22}, hours
    assert cost == Decimal("0.88")


async def test_fixed_price_shifts_nothing_on_price() -> None:
    hours, cost, saving = await _plan_hours(FixedTariff(Decimal("0.28")))
    assert cost == Decimal("1.12")  # 4 kWh × €0.28, wherever the plan puts it
    assert saving == 0
    # The market's cheap hour at 19:00 means nothing to a fixed-price owner.
    assert 19 not in hours


async def test_dynamic_follows_the_market() -> None:
    hours, cost, saving = await _plan_hours(DynamicTariff())
    assert hours == [19]
    assert cost == ((Decimal("0.01") + Decimal("0.1116")) * Decimal("1.21") * 4).quantize(cost)
    assert saving > 0


async def test_the_source_asks_the_schedule_at_every_fetch() -> None:
    tariffs = [FixedTariff(Decimal("0.20"))]
    source = TariffedPriceSource(_Market(), lambda: TariffSchedule(tariffs[-1]))
    first = await source.get_prices(NOW, NOW + timedelta(hours=1))
    tariffs.append(FixedTariff(Decimal("0.40")))
    second = await source.get_prices(NOW, NOW + timedelta(hours=1))
    assert {s.all_in_eur_per_kwh for s in first.slots} == {Decimal("0.20")}
    assert {s.all_in_eur_per_kwh for s in second.slots} == {Decimal("0.40")}
    assert source.name == "market"
