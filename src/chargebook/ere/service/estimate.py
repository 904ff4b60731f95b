"""Before signing: what a mandate for this year would earn from the sessions already in the
book. One function (`mandate_estimate`) for every door: the wizard's mandate step and the
credits page of an owner without a mandate (web), and `chargebook ere credits` (CLI).

It is an estimate, and says so: EREs = the MID kWh of this year's sessions so far (net of
energy fed back) x the year's factor, rounded once to 0.1 ERE half up (the calculator's one
rule, `chargebook.ere.calculate_ere`); euros at the operator's current price per ERE (the
price of the latest period that has started; without one, the cautious range of
`credits.py`) minus the service fee (`DEFAULT_FEE_RATE`), rounded to cents
(`calculate_payout`). A mandate books the year's sessions back to 1 January, so every MID
session of the year counts; the rules (metering recorded, no overlaps, ...) may still hold
some back, which is why the figure is an estimate and the credits page shows what happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import DeliveryPeriod
from chargebook.ere import (
    DEFAULT_FEE_RATE,
    EreAmount,
    ParametersError,
    ParameterSet,
    Payout,
    calculate_ere,
    calculate_payout,
    period_bounds,
)
from chargebook.ere.periods import DUTCH_ZONE

CENT = Decimal("0.01")
# A cautious range for estimates; the operator's actual price is on each statement.
LOW_PRICE_EUR_PER_ERE = Decimal("0.30")
HIGH_PRICE_EUR_PER_ERE = Decimal("0.50")


@dataclass(frozen=True, slots=True)
class MandateEstimate:
    """An estimate of a year's EREs and euros from the MID sessions so far."""

    year: int
    sessions: int  # MID-metered sessions of the year so far
    energy_kwh: Decimal  # their MID kWh, net of energy fed back
    amount: EreAmount  # EREs (rounded once), the factor, whether the factor is provisional
    price_eur_per_ere: Decimal | None  # the operator's current price; None: none set
    payout: Payout | None  # at that price, after the fee (None without a price)
    low: Payout  # the cautious range, for when there is no price yet
    high: Payout
    fee_rate: Decimal

    @property
    def ere(self) -> Decimal:
        return self.amount.ere


def current_price(store: EreStore, now: datetime) -> Decimal | None:
    """The operator's price per ERE of the latest period that has started by `now`."""
    started = [
        (period_bounds(period)[0], period.sort_key, price)
        for period, price in store.statements.prices().items()
        if period_bounds(period)[0] <= now
    ]
    if not started:
        return None
    price: Decimal = max(started)[2].normalize()  # 0.470000 as stored -> 0.47
    exponent = price.as_tuple().exponent
    return price if isinstance(exponent, int) and exponent <= -2 else price.quantize(CENT)


def mandate_estimate(
    store: EreStore,
    owner_user_id: int,
    *,
    parameters: ParameterSet,
    now: datetime,
    charger_ids: Sequence[int] | None = None,
    fee_rate: Decimal = DEFAULT_FEE_RATE,
) -> MandateEstimate | None:
    """What a mandate for this year (Dutch local time) would earn from the owner's MID
    sessions of the year so far, on `charger_ids` (None: all the owner's chargers).

    Returns:
        None when there are no ERE factors for the year.
    """
    year = now.astimezone(DUTCH_ZONE).year
    start, end = period_bounds(DeliveryPeriod(year))
    found = store.credits.mid_energy(
        owner_user_id, start=start, end=min(end, now), charger_ids=charger_ids
    )
    try:
        amount = calculate_ere(found.energy_kwh, year, parameters)
    except ParametersError:
        return None
    price = current_price(store, now)
    return MandateEstimate(
        year=year,
        sessions=found.sessions,
        energy_kwh=found.energy_kwh,
        amount=amount,
        price_eur_per_ere=price,
        payout=None if price is None else calculate_payout(amount.ere, price, fee_rate),
        low=calculate_payout(amount.ere, LOW_PRICE_EUR_PER_ERE, fee_rate),
        high=calculate_payout(amount.ere, HIGH_PRICE_EUR_PER_ERE, fee_rate),
        fee_rate=fee_rate,
    )


def has_mandate(store: EreStore, owner_user_id: int, year: int) -> bool:
    """Whether one of the owner's mandates covers `year` (complete or not)."""
    return any(
        stored.mandate.covers_year(year)
        for stored in store.mandates.list(customer_user_id=owner_user_id)
    )
