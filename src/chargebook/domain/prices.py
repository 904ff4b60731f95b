"""Prices and charge plans: the vocabulary shared by `prices/` (adapters) and `planner/` (pure).

Inside chargebook every price lives on a 15-minute UTC slot (`SLOT`); hourly prices are split
into four equal quarters by the adapters. A `PriceCurve` keeps the market (day-ahead) price and
the all-in price apart, and says up to when prices are known: "no prices for tomorrow yet" is
`curve.complete is False` with `curve.known_until`, not an exception.

Money is `Decimal` (EUR); plan energies and powers are floats (a plan is a forecast, the book
keeps the exact figures); intervals are half-open `[start, end)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Protocol, runtime_checkable

from chargebook.clock import ensure_utc

SLOT = timedelta(minutes=15)
"""The planning resolution: one quarter of an hour (EU day-ahead MTU since 2025-10-01)."""


def floor_to_slot(moment: datetime) -> datetime:
    """The start of the 15-minute UTC slot that contains `moment` (timezone-aware)."""
    moment = ensure_utc(moment)
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class PriceFormula:
    """How a market price becomes what the household pays per kWh.

    all_in = (market + energy_tax + supplier_surcharge) × (1 + vat_rate)

    Defaults are the Dutch 2026 figures for a household (first bracket, 0-10,000 kWh):
    energy tax EUR 0.09160/kWh excluding VAT (EUR 0.11085 including), VAT 21 %, and a
    typical dynamic-contract supplier surcharge of EUR 0.0200/kWh excluding VAT. All three are
    configuration, not law: check your contract and the Belastingdienst table every January.
    Negative results are kept (dynamic contracts pass negative prices through).
    """

    energy_tax_eur_per_kwh: Decimal = Decimal("0.09160")
    supplier_surcharge_eur_per_kwh: Decimal = Decimal("0.0200")
    vat_rate: Decimal = Decimal("0.21")

    def all_in(self, market_eur_per_kwh: Decimal) -> Decimal:
        """The all-in price in EUR/kWh (including VAT) for a market price in EUR/kWh."""
        excl_vat = (
            market_eur_per_kwh + self.energy_tax_eur_per_kwh + self.supplier_surcharge_eur_per_kwh
        )
        return excl_vat * (Decimal(1) + self.vat_rate)


class PriceBasis(StrEnum):
    """Which price a plan optimises and reports."""

    ALL_IN = "all_in"
    MARKET = "market"


@dataclass(frozen=True, slots=True)
class PriceSlot:
    """One 15-minute UTC slot `[start, start + SLOT)` with its prices in EUR/kWh."""

    start: datetime
    market_eur_per_kwh: Decimal
    all_in_eur_per_kwh: Decimal

    @property
    def end(self) -> datetime:
        return self.start + SLOT

    def price(self, basis: PriceBasis) -> Decimal:
        """The price in EUR/kWh on the given basis."""
        if basis is PriceBasis.MARKET:
            return self.market_eur_per_kwh
        return self.all_in_eur_per_kwh


@dataclass(frozen=True, slots=True)
class PriceCurve:
    """Consecutive price slots for a requested window `[requested_start, requested_end)`.

    `slots` are sorted, unique and 15 minutes apart; they may stop before `requested_end`
    (tomorrow's prices are published around 13:00 CET) or be empty. `source` names the adapter.
    """

    source: str
    requested_start: datetime
    requested_end: datetime
    slots: tuple[PriceSlot, ...] = ()

    @property
    def known_until(self) -> datetime | None:
        """End of the last slot with a price, or None when no price is known at all."""
        return self.slots[-1].end if self.slots else None

    @property
    def complete(self) -> bool:
        """True when every quarter of the requested window has a price."""
        known = self.known_until
        return (
            known is not None
            and known >= self.requested_end
            and self.slots[0].start <= self.requested_start
        )

    @property
    def missing_from(self) -> datetime | None:
        """The first moment of the requested window without a price (None when complete)."""
        if self.complete:
            return None
        known = self.known_until
        if known is None or self.slots[0].start > self.requested_start:
            return self.requested_start
        return known

    def window(self, start: datetime, end: datetime) -> PriceCurve:
        """The slots that overlap `[start, end)`, as a curve requested for that window."""
        start, end = ensure_utc(start), ensure_utc(end)
        inside = tuple(s for s in self.slots if s.start < end and s.end > start)
        return PriceCurve(self.source, start, end, inside)


def build_curve(
    source: str,
    requested_start: datetime,
    requested_end: datetime,
    slots: Iterable[PriceSlot],
) -> PriceCurve:
    """A curve of the slots inside the requested window, sorted, de-duplicated and cut at the
    first gap (a plan must never believe a price it does not have).

    Raises:
        ValueError: a slot start is not aligned to a quarter of an hour.
    """
    requested_start = floor_to_slot(requested_start)
    requested_end = ensure_utc(requested_end)
    by_start: dict[datetime, PriceSlot] = {}
    for slot in slots:
        start = ensure_utc(slot.start)
        if start != floor_to_slot(start):
            raise ValueError(f"price slot {start.isoformat()} is not on a quarter hour")
        if requested_start <= start < requested_end:
            by_start.setdefault(start, slot)
    ordered: list[PriceSlot] = []
    for start in sorted(by_start):
        if ordered and start != ordered[-1].end:
            break
        ordered.append(by_start[start])
    return PriceCurve(source, requested_start, requested_end, tuple(ordered))


@runtime_checkable
class PriceSource(Protocol):
    """Day-ahead prices for a UTC window, as 15-minute slots.

    Implementations raise `chargebook.prices.exceptions.PriceSourceError` (with `retryable`)
    when the source cannot be asked; prices that are not published yet are not an error but
    an incomplete curve.
    """

    name: str

    async def get_prices(self, start: datetime, end: datetime) -> PriceCurve: ...


@runtime_checkable
class PriceCache(Protocol):
    """Stores curves per source so repeated plans do not hit the network (a DB adapter later)."""

    async def load(self, source: str, start: datetime, end: datetime) -> PriceCurve | None:
        """A stored curve for exactly this source and window, or None."""
        ...

    async def save(self, curve: PriceCurve) -> None: ...


class Strategy(StrEnum):
    """How the planner picks charging slots (see planner/README.md)."""

    CHEAPEST = "cheapest"  # cheapest quarters anywhere before departure; ties go later
    CONTINUOUS = "continuous"  # one block, the cheapest window
    PRICE_CAP = "price_cap"  # charge whenever the price is at or below a cap


class PlanStatus(StrEnum):
    """Why the plan looks the way it does."""

    OPTIMISED = "optimised"  # prices known for the whole window
    PARTIAL_PRICES = "partial_prices"  # some quarters had no price: those were used last/late
    NO_PRICES = "no_prices"  # no price at all: finish just in time
    NOT_ENOUGH_TIME = "not_enough_time"  # charge now at full power; the goal is not met
    NOTHING_TO_DO = "nothing_to_do"  # the goal is already met
    CAP_TOO_LOW = "cap_too_low"  # strict price cap: not enough cheap quarters


@dataclass(frozen=True, slots=True)
class ChargerLimits:
    """What the charger (and the car) can draw: I × phases × voltage.

    Power is `max_current_a × phases × voltage_v / 1000` kW unless `max_power_kw` is given
    (for example when the car, not the charger, is the limit). 6 A is the IEC 61851 minimum.
    """

    max_current_a: float = 16.0
    min_current_a: float = 6.0
    phases: int = 3
    voltage_v: float = 230.0
    max_power_kw: float | None = None

    def __post_init__(self) -> None:
        if self.phases not in (1, 2, 3):
            raise ValueError("phases must be 1, 2 or 3")
        if self.min_current_a <= 0 or self.max_current_a < self.min_current_a:
            raise ValueError("need 0 < min_current_a <= max_current_a")
        if self.max_power_kw is not None and self.max_power_kw < self.min_power_kw:
            raise ValueError("max_power_kw is below the minimum charging power")

    @property
    def power_kw(self) -> float:
        """The maximum charging power in kW."""
        if self.max_power_kw is not None:
            return self.max_power_kw
        return self.max_current_a * self.phases * self.voltage_v / 1000.0

    @property
    def min_power_kw(self) -> float:
        """The lowest power the charger can deliver without stopping, in kW."""
        return self.min_current_a * self.phases * self.voltage_v / 1000.0


@dataclass(frozen=True, slots=True)
class ChargeGoal:
    """Deliver `energy_kwh` into the car before `departure` (UTC-aware)."""

    energy_kwh: float
    departure: datetime

    def __post_init__(self) -> None:
        if self.energy_kwh < 0:
            raise ValueError("energy_kwh must not be negative")
        object.__setattr__(self, "departure", ensure_utc(self.departure))

    @classmethod
    def from_soc(
        cls,
        *,
        current_soc_pct: float,
        target_soc_pct: float,
        capacity_kwh: float,
        departure: datetime,
        efficiency: float = 0.9,
    ) -> ChargeGoal:
        """A goal from a state of charge: (target − current) % of the battery, divided by
        the charging efficiency (grid kWh are what is bought; 0.9 is typical for AC)."""
        if not 0 < efficiency <= 1:
            raise ValueError("efficiency must be in (0, 1]")
        if not 0 <= current_soc_pct <= 100 or not 0 <= target_soc_pct <= 100:
            raise ValueError("state of charge must be between 0 and 100 %")
        battery_kwh = max(0.0, target_soc_pct - current_soc_pct) / 100.0 * capacity_kwh
        return cls(energy_kwh=battery_kwh / efficiency, departure=departure)


@dataclass(frozen=True, slots=True)
class PlanOptions:
    """Strategy and its knobs; all durations are timedeltas, prices EUR/kWh."""

    strategy: Strategy = Strategy.CHEAPEST
    price_basis: PriceBasis = PriceBasis.ALL_IN
    price_cap_eur_per_kwh: Decimal | None = None
    strict_cap: bool = False  # True: never above the cap, even if the goal is missed
    late_tail: timedelta = timedelta(0)  # always charge this long right before departure
    min_block: timedelta = timedelta(0)  # shortest on-period, e.g. 30 or 60 minutes


@dataclass(frozen=True, slots=True)
class PlannedSlot:
    """Charge at `power_kw` during `[start, end)`; `price_eur_per_kwh` None = price unknown."""

    start: datetime
    end: datetime
    power_kw: float
    energy_kwh: float
    price_eur_per_kwh: Decimal | None


@dataclass(frozen=True, slots=True)
class ChargePlan:
    """What to do until departure, and what it costs.

    `cost_eur` covers the quarters with a known price; `cost_complete` is False when some
    planned energy falls in quarters without a price. `shortfall_kwh` > 0 means the goal cannot
    be met by departure.
    """

    goal: ChargeGoal
    strategy: Strategy
    status: PlanStatus
    slots: tuple[PlannedSlot, ...]
    energy_kwh: float
    shortfall_kwh: float
    cost_eur: Decimal
    cost_complete: bool
    prices_known_until: datetime | None = None

    @property
    def goal_met(self) -> bool:
        return self.shortfall_kwh <= 1e-9


@dataclass(frozen=True, slots=True)
class PlanPreview:
    """A plan next to the "charge now at full power" plan, and what waiting saves."""

    plan: ChargePlan
    charge_now: ChargePlan
    saving_eur: Decimal
    notes: Sequence[str] = field(default_factory=tuple)
