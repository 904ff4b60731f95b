"""An owner's electricity tariff: what one kWh costs them in a given quarter, all in.

Three kinds, one per kind of Dutch supplier contract:

- `FixedTariff`: one price per kWh, taxes and VAT included (enkeltarief).
- `DynamicTariff`: the day-ahead market price plus the supplier's surcharge and the energy
  tax, times (1 + VAT) — the formula chargebook always applied, with the owner's own numbers.
- `DayNightTariff`: a normal and a low price (dubbeltarief, normaal/dal). Low hours are the
  grid operator's, not the supplier's: in most of the Netherlands 23:00–07:00 on weekdays, in
  Noord-Brabant and Limburg (Enexis) from 21:00; all day at weekends and on the national
  holidays the grid operators use (`dutch_low_tariff_holidays`). Hence configurable.

`price_at(slot_start, market)` is the one answer every door uses (planner, savings, session
costs). A `TariffSchedule` keeps the periods an owner had, each from a moment on, so a
contract changed today does not re-price last year. Pure: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

from chargebook.clock import ensure_utc
from chargebook.domain.display import price_per_kwh_text
from chargebook.domain.prices import PriceCurve, PriceSlot

# The meter and the grid operator's low hours run on Dutch local time.
TARIFF_ZONE = ZoneInfo("Europe/Amsterdam")
# Bounds that catch a slip of the decimal point (28 instead of 0.28), not a policy.
MAX_PRICE_EUR_PER_KWH = Decimal(5)
MAX_VAT_RATE = Decimal(1)


class TariffKind(StrEnum):
    FIXED = "fixed"
    DYNAMIC = "dynamic"
    DAY_NIGHT = "day_night"


def easter_sunday(year: int) -> date:
    """Easter Sunday (Gregorian calendar), by the anonymous Gregorian computus."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_shift) // 451
    month, day = divmod(h + weekday_shift - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def dutch_low_tariff_holidays(year: int) -> frozenset[date]:
    """The holidays on which Dutch grid operators count every hour as low: New Year's Day,
    Easter Monday, King's Day (27 April, the 26th when the 27th is a Sunday), Ascension Day,
    Whit Monday, Christmas Day and Boxing Day. Good Friday and Liberation Day are not among
    them."""
    easter = easter_sunday(year)
    kings = date(year, 4, 27)
    if kings.weekday() == 6:
        kings = date(year, 4, 26)
    return frozenset(
        {
            date(year, 1, 1),
            easter + timedelta(days=1),
            kings,
            easter + timedelta(days=39),
            easter + timedelta(days=50),
            date(year, 12, 25),
            date(year, 12, 26),
        }
    )


@dataclass(frozen=True, slots=True)
class LowHours:
    """When the low price applies, in Dutch local time: daily `[start, end)` (wrapping past
    midnight when start > end), plus all day at weekends and on holidays when enabled."""

    start: time = time(23, 0)
    end: time = time(7, 0)
    weekends: bool = True
    holidays: bool = True

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ValueError("low hours must start and end at different times")

    def is_low(self, moment: datetime) -> bool:
        """Whether `moment` (timezone-aware) falls in low hours."""
        local = ensure_utc(moment).astimezone(TARIFF_ZONE)
        if self.weekends and local.weekday() >= 5:
            return True
        if self.holidays and local.date() in dutch_low_tariff_holidays(local.year):
            return True
        now = local.time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end


@dataclass(frozen=True, slots=True)
class FixedTariff:
    """One price per kWh, everything included."""

    price_eur_per_kwh: Decimal
    kind: TariffKind = field(default=TariffKind.FIXED, init=False)

    def __post_init__(self) -> None:
        _check_price(self.price_eur_per_kwh, "the price")

    def price_at(self, slot_start: datetime, market_eur_per_kwh: Decimal | None) -> Decimal:
        return self.price_eur_per_kwh

    def describe(self) -> str:
        return f"fixed {price_per_kwh_text(self.price_eur_per_kwh)}"


@dataclass(frozen=True, slots=True)
class DynamicTariff:
    """(market + surcharge + energy tax) × (1 + VAT), EUR/kWh; the defaults are the Dutch
    2026 household figures chargebook has always used (see `domain.prices.PriceFormula`).
    Negative results are kept: dynamic contracts pass negative prices through."""

    supplier_surcharge_eur_per_kwh: Decimal = Decimal("0.0200")
    energy_tax_eur_per_kwh: Decimal = Decimal("0.09160")
    vat_rate: Decimal = Decimal("0.21")
    kind: TariffKind = field(default=TariffKind.DYNAMIC, init=False)

    def __post_init__(self) -> None:
        _check_price(self.supplier_surcharge_eur_per_kwh, "the supplier surcharge", signed=True)
        _check_price(self.energy_tax_eur_per_kwh, "the energy tax", signed=True)
        if not self.vat_rate.is_finite() or not 0 <= self.vat_rate <= MAX_VAT_RATE:
            raise ValueError("VAT must be between 0 and 100 %")

    def price_at(self, slot_start: datetime, market_eur_per_kwh: Decimal | None) -> Decimal | None:
        if market_eur_per_kwh is None:
            return None
        excl_vat = (
            market_eur_per_kwh + self.energy_tax_eur_per_kwh + self.supplier_surcharge_eur_per_kwh
        )
        return excl_vat * (Decimal(1) + self.vat_rate)

    def describe(self) -> str:
        vat = (self.vat_rate * 100).normalize()
        return (
            f"dynamic: market + {price_per_kwh_text(self.supplier_surcharge_eur_per_kwh)} surcharge"
            f" + {price_per_kwh_text(self.energy_tax_eur_per_kwh)} energy tax, plus {vat:f} % VAT"
        )


@dataclass(frozen=True, slots=True)
class DayNightTariff:
    """A normal and a low price per kWh (everything included) and when the low one applies."""

    normal_eur_per_kwh: Decimal
    low_eur_per_kwh: Decimal
    low_hours: LowHours = LowHours()
    kind: TariffKind = field(default=TariffKind.DAY_NIGHT, init=False)

    def __post_init__(self) -> None:
        _check_price(self.normal_eur_per_kwh, "the normal price")
        _check_price(self.low_eur_per_kwh, "the low price")

    def price_at(self, slot_start: datetime, market_eur_per_kwh: Decimal | None) -> Decimal:
        if self.low_hours.is_low(slot_start):
            return self.low_eur_per_kwh
        return self.normal_eur_per_kwh

    def describe(self) -> str:
        hours = self.low_hours
        when = f"{hours.start:%H:%M}–{hours.end:%H:%M}"
        extra = [w for w, on in (("weekends", hours.weekends), ("holidays", hours.holidays)) if on]
        when = ", ".join([when, *extra[:-1]]) + (f" and {extra[-1]}" if extra else "")
        return (
            f"day/night {price_per_kwh_text(self.normal_eur_per_kwh)} normal, "
            f"{price_per_kwh_text(self.low_eur_per_kwh)} low ({when})"
        )


Tariff = FixedTariff | DynamicTariff | DayNightTariff


def _check_price(value: Decimal, what: str, *, signed: bool = False) -> None:
    if not value.is_finite():
        raise ValueError(f"{what} must be a number")
    low = -MAX_PRICE_EUR_PER_KWH if signed else Decimal(0)
    if not low <= value <= MAX_PRICE_EUR_PER_KWH:
        bound = "between -5 and 5" if signed else "between 0 and 5"
        raise ValueError(f"{what} must be {bound} euros per kWh")


@dataclass(frozen=True, slots=True)
class TariffPeriod:
    """`tariff` applies from `valid_from` (UTC-aware) until the next period starts."""

    valid_from: datetime
    tariff: Tariff


@dataclass(frozen=True, slots=True)
class TariffSchedule:
    """An owner's tariffs over time; before the first period (or with none) `default` applies."""

    default: Tariff
    periods: tuple[TariffPeriod, ...] = ()

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.periods, key=lambda p: p.valid_from))
        object.__setattr__(self, "periods", ordered)

    def tariff_at(self, moment: datetime) -> Tariff:
        """The tariff in force at `moment`."""
        moment = ensure_utc(moment)
        current = self.default
        for period in self.periods:
            if period.valid_from > moment:
                break
            current = period.tariff
        return current

    @property
    def own(self) -> bool:
        """Whether the owner set a tariff at all (False: the default for everyone)."""
        return bool(self.periods)

    def price_at(self, slot_start: datetime, market_eur_per_kwh: Decimal | None) -> Decimal | None:
        """The all-in EUR/kWh of the quarter starting at `slot_start` (None: a dynamic tariff
        without a market price)."""
        return self.tariff_at(slot_start).price_at(slot_start, market_eur_per_kwh)


def reprice(curve: PriceCurve, schedule: TariffSchedule) -> PriceCurve:
    """The curve with each quarter's all-in price from the schedule (market prices kept)."""
    slots: list[PriceSlot] = []
    for slot in curve.slots:
        price = schedule.price_at(slot.start, slot.market_eur_per_kwh)
        assert price is not None  # every slot carries a market price
        slots.append(PriceSlot(slot.start, slot.market_eur_per_kwh, price))
    return PriceCurve(curve.source, curve.requested_start, curve.requested_end, tuple(slots))
