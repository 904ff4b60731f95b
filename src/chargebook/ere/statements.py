"""Customer statements per period and the earnings calculator for the knowledge base.

Money follows the one rule in `chargebook.ere.calculator`: cents, half up, gross first, fee from
the rounded gross, payout = gross - fee.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from chargebook.domain.ere import DeliveryPeriod
from chargebook.ere.batch import BatchLine
from chargebook.ere.calculator import DEFAULT_FEE_RATE, Payout, calculate_ere, calculate_payout
from chargebook.ere.exceptions import EreError
from chargebook.ere.parameters import ParameterSet


class MissingPriceError(EreError):
    """No operator price per ERE is known for a statement's period."""


@dataclass(frozen=True, slots=True)
class Statement:
    """One customer's EREs and money for one period (normally a quarter)."""

    customer_id: str
    period: DeliveryPeriod
    eans: tuple[str, ...]
    energy_kwh: Decimal
    energy_kwh_by_month: tuple[tuple[str, Decimal], ...]
    ere: Decimal  # sum of the customer's rounded batch lines
    is_estimate: bool
    payout: Payout


def build_statements(
    lines: Iterable[BatchLine],
    prices_eur_per_ere: Mapping[DeliveryPeriod, Decimal],
    *,
    fee_rate: Decimal = DEFAULT_FEE_RATE,
) -> list[Statement]:
    """One statement per customer and period from batch lines.

    Args:
        lines: batch lines (any order; several EANs of a customer are combined).
        prices_eur_per_ere: the operator's price per ERE for each period.
        fee_rate: the service fee as a fraction (default 0.20).

    Returns:
        Statements sorted by customer and period.

    Raises:
        MissingPriceError: a period has no price.
    """
    grouped: dict[tuple[str, DeliveryPeriod], list[BatchLine]] = defaultdict(list)
    for line in lines:
        grouped[(line.customer_id, line.period)].append(line)
    statements: list[Statement] = []
    for (customer_id, period), group in sorted(
        grouped.items(), key=lambda item: (item[0][0], item[0][1].sort_key)
    ):
        price = prices_eur_per_ere.get(period)
        if price is None:
            raise MissingPriceError(f"no price per ERE for period {period.label}")
        months: dict[str, Decimal] = defaultdict(Decimal)
        for line in group:
            for month, kwh in line.energy_kwh_by_month:
                months[month] += kwh
        ere = sum((line.ere for line in group), Decimal(0))
        statements.append(
            Statement(
                customer_id=customer_id,
                period=period,
                eans=tuple(sorted({line.ean for line in group})),
                energy_kwh=sum((line.energy_kwh for line in group), Decimal(0)),
                energy_kwh_by_month=tuple(sorted(months.items())),
                ere=ere,
                is_estimate=any(line.is_estimate for line in group),
                payout=calculate_payout(ere, price, fee_rate),
            )
        )
    return statements


@dataclass(frozen=True, slots=True)
class EarningsEstimate:
    """What a year of home charging may earn, as a range over ERE prices."""

    delivery_year: int
    energy_kwh: Decimal
    ere: Decimal
    is_estimate: bool
    low: Payout
    high: Payout


def estimate_earnings(
    energy_kwh_per_year: Decimal,
    *,
    delivery_year: int,
    parameters: ParameterSet,
    low_price_eur_per_ere: Decimal,
    high_price_eur_per_ere: Decimal,
    fee_rate: Decimal = DEFAULT_FEE_RATE,
) -> EarningsEstimate:
    """kWh per year -> EREs -> a euro range (gross, fee, net) at a low and a high ERE price.

    Raises:
        ParametersError: no parameters for `delivery_year`.
        ValueError: negative energy or prices, fee outside [0, 1], or low above high.
    """
    if low_price_eur_per_ere > high_price_eur_per_ere:
        raise ValueError("the low price is above the high price")
    amount = calculate_ere(energy_kwh_per_year, delivery_year, parameters)
    return EarningsEstimate(
        delivery_year=delivery_year,
        energy_kwh=energy_kwh_per_year,
        ere=amount.ere,
        is_estimate=amount.is_estimate,
        low=calculate_payout(amount.ere, low_price_eur_per_ere, fee_rate),
        high=calculate_payout(amount.ere, high_price_eur_per_ere, fee_rate),
    )
