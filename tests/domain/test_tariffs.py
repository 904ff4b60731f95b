"""The tariff rules: Dutch low hours and holidays, each kind's price, schedules over time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from chargebook.domain.display import price_per_kwh_text
from chargebook.domain.prices import PriceCurve, PriceFormula, PriceSlot
from chargebook.domain.tariffs import (
    DayNightTariff,
    DynamicTariff,
    FixedTariff,
    LowHours,
    TariffPeriod,
    TariffSchedule,
    dutch_low_tariff_holidays,
    easter_sunday,
    reprice,
)

AMS = ZoneInfo("Europe/Amsterdam")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("year", "easter"),
    [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)),
     (2027, date(2027, 3, 28)), (2038, date(2038, 4, 25)), (2285, date(2285, 3, 22))],
)  # fmt: skip
def test_easter_sunday(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


def test_the_holidays_grid_operators_count_as_low() -> None:
    assert sorted(dutch_low_tariff_holidays(2026)) == [
        date(2026, 1, 1), date(2026, 4, 6), date(2026, 4, 27), date(2026, 5, 14),
        date(2026, 5, 25), date(2026, 12, 25), date(2026, 12, 26),
    ]  # fmt: skip
    # King's Day moves to the 26th when the 27th is a Sunday (2025).
    assert date(2025, 4, 26) in dutch_low_tariff_holidays(2025)
    assert date(2025, 4, 27) not in dutch_low_tariff_holidays(2025)
    # Good Friday and Liberation Day are not low-tariff days.
    assert date(2026, 4, 3) not in dutch_low_tariff_holidays(2026)
    assert date(2026, 5, 5) not in dutch_low_tariff_holidays(2026)


@pytest.mark.parametrize(
    ("moment", "low"),
    [
        (local(2026, 3, 10, 22, 59), False),  # a Tuesday
        (local(2026, 3, 10, 23, 0), True),
        (local(2026, 3, 11, 6, 59), True),
        (local(2026, 3, 11, 7, 0), False),
        (local(2026, 3, 14, 12, 0), True),  # Saturday
        (local(2026, 3, 15, 18, 0), True),  # Sunday
        (local(2026, 4, 27, 12, 0), True),  # King's Day, a Monday
        (local(2026, 5, 14, 12, 0), True),  # Ascension Day, a Thursday
        (local(2026, 5, 5, 12, 0), False),  # Liberation Day is a working day for the meter
        # Summer time: 21:30 UTC is 23:30 in Amsterdam; in winter it is 22:30.
        (datetime(2026, 6, 10, 21, 30, tzinfo=UTC), True),
        (datetime(2026, 1, 14, 21, 30, tzinfo=UTC), False),
    ],
)
def test_default_low_hours_are_the_dutch_convention(moment: datetime, low: bool) -> None:
    assert LowHours().is_low(moment) is low


def test_low_hours_are_configurable() -> None:
    brabant = LowHours(start=time(21, 0))  # Enexis in Noord-Brabant and Limburg
    assert brabant.is_low(local(2026, 3, 10, 21, 0))
    weekdays_only = LowHours(weekends=False, holidays=False)
    assert not weekdays_only.is_low(local(2026, 3, 14, 12, 0))
    assert not weekdays_only.is_low(local(2026, 12, 25, 12, 0))
    daytime = LowHours(start=time(1, 0), end=time(5, 0), weekends=False)
    assert daytime.is_low(local(2026, 3, 10, 3, 0))
    assert not daytime.is_low(local(2026, 3, 10, 6, 0))
    with pytest.raises(ValueError, match="different times"):
        LowHours(start=time(7, 0), end=time(7, 0))


@pytest.mark.parametrize("market", ["0.08", "0", "-0.05", "0.31234"])
def test_the_default_dynamic_tariff_is_the_old_formula(market: str) -> None:
    value = Decimal(market)
    moment = local(2026, 3, 10, 12, 0)
    assert DynamicTariff().price_at(moment, value) == PriceFormula().all_in(value)
    assert DynamicTariff().price_at(moment, None) is None


def test_each_kind_prices_a_quarter() -> None:
    weekday_noon, weekday_night = local(2026, 3, 10, 12, 0), local(2026, 3, 10, 23, 30)
    fixed = FixedTariff(Decimal("0.28"))
    assert fixed.price_at(weekday_noon, None) == fixed.price_at(weekday_night, Decimal(9))
    day_night = DayNightTariff(Decimal("0.30"), Decimal("0.22"))
    assert day_night.price_at(weekday_noon, None) == Decimal("0.30")
    assert day_night.price_at(weekday_night, None) == Decimal("0.22")
    mine = DynamicTariff(Decimal("0.03"), Decimal("0.1"), Decimal("0.09"))
    assert mine.price_at(weekday_noon, Decimal("0.10")) == Decimal("0.23") * Decimal("1.09")


def test_descriptions_write_money_as_people_do() -> None:
    assert FixedTariff(Decimal("0.28")).describe() == "fixed €0.28/kWh"
    assert price_per_kwh_text(Decimal("0.09160")) == "€0.0916/kWh"
    assert price_per_kwh_text(Decimal("-0.05")) == "-€0.05/kWh"
    assert DayNightTariff(Decimal("0.3"), Decimal("0.22")).describe() == (
        "day/night €0.30/kWh normal, €0.22/kWh low (23:00–07:00, weekends and holidays)"
    )
    assert DynamicTariff().describe() == (
        "dynamic: market + €0.02/kWh surcharge + €0.0916/kWh energy tax, plus 21 % VAT"
    )


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: FixedTariff(Decimal(28)), "between 0 and 5"),
        (lambda: FixedTariff(Decimal("-0.1")), "between 0 and 5"),
        (lambda: FixedTariff(Decimal("NaN")), "a number"),
        (lambda: DynamicTariff(vat_rate=Decimal(21)), "VAT"),
        (lambda: DayNightTariff(Decimal("0.3"), Decimal("Infinity")), "a number"),
    ],
)
def test_impossible_figures_are_refused(build: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()  # type: ignore[operator]


def test_a_schedule_keeps_each_period_to_its_days() -> None:
    old, new = FixedTariff(Decimal("0.25")), FixedTariff(Decimal("0.35"))
    schedule = TariffSchedule(
        DynamicTariff(),
        (TariffPeriod(local(2026, 7, 1, 0, 0), new), TariffPeriod(local(2026, 1, 1, 0, 0), old)),
    )
    assert schedule.own
    assert schedule.tariff_at(local(2025, 12, 31, 23, 59)) == DynamicTariff()
    assert schedule.tariff_at(local(2026, 1, 1, 0, 0)) == old
    assert schedule.tariff_at(local(2026, 6, 30, 23, 59)) == old
    assert schedule.tariff_at(local(2026, 7, 1, 0, 0)) == new
    assert not TariffSchedule(DynamicTariff()).own


def test_reprice_keeps_market_prices_and_sets_the_owners_all_in() -> None:
    start = local(2026, 3, 10, 22, 45).astimezone(UTC)
    slots = tuple(
        PriceSlot(
            start + i * (datetime(2026, 1, 1, 0, 15) - datetime(2026, 1, 1)),
            Decimal("0.1"),
            Decimal(9),
        )
        for i in range(2)
    )
    curve = PriceCurve("test", start, slots[-1].end, slots)
    priced = reprice(curve, TariffSchedule(DayNightTariff(Decimal("0.30"), Decimal("0.22"))))
    assert [s.market_eur_per_kwh for s in priced.slots] == [Decimal("0.1")] * 2
    assert [s.all_in_eur_per_kwh for s in priced.slots] == [Decimal("0.30"), Decimal("0.22")]
    assert (priced.source, priced.requested_start, priced.requested_end) == (
        curve.source, curve.requested_start, curve.requested_end,
    )  # fmt: skip
