"""ERE and money arithmetic in Decimal, with one rounding rule each.

EREs = kWh x renewable_share(year) x 183 gCO2-eq/MJ x 3.6 MJ/kWh / 1000 g/kg.

Rounding rule (EREs): the product is computed exactly and rounded ONCE, to 0.1 ERE with
ROUND_HALF_UP, per batch line (customer x EAN x period) or calculator answer, from that line's
total kWh; never per session. Any total over lines (a batch, a customer statement) is the sum
of the rounded lines. This reproduces the reference's worked examples: 2,500 kWh in 2026 ->
831.735 -> 831.7 ERE; 3,000 kWh -> 998.082 -> 998.1 ERE.

Rounding rule (money): EUR amounts are rounded to cents with ROUND_HALF_UP; the gross is
rounded first, the fee is rounded from the rounded gross, and the payout is gross - fee, so
gross = fee + payout to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from chargebook.ere.parameters import ParameterSet

ERE_QUANTUM = Decimal("0.1")
CENT = Decimal("0.01")


def round_ere(value: Decimal) -> Decimal:
    """Round an exact ERE amount to 0.1 ERE, half up (the one ERE rounding rule)."""
    return value.quantize(ERE_QUANTUM, rounding=ROUND_HALF_UP)


def round_eur(value: Decimal) -> Decimal:
    """Round a EUR amount to cents, half up (the one money rounding rule)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class EreAmount:
    """EREs for a quantity of energy delivered in one year."""

    delivery_year: int
    energy_kwh: Decimal
    ere_exact: Decimal
    ere: Decimal  # rounded to 0.1 ERE
    ere_per_kwh: Decimal
    is_estimate: bool
    parameter_version: str


def calculate_ere(energy_kwh: Decimal, delivery_year: int, parameters: ParameterSet) -> EreAmount:
    """EREs for `energy_kwh` delivered in `delivery_year`.

    Args:
        energy_kwh: net energy in kWh (V2G feed-back already deducted), >= 0.
        delivery_year: the calendar year the energy was delivered.
        parameters: the versioned parameter set.

    Returns:
        Exact and rounded EREs, flagged when the year's parameters are estimates.

    Raises:
        ParametersError: no parameters for `delivery_year`.
        ValueError: `energy_kwh` is negative.
    """
    if energy_kwh < 0:
        raise ValueError("energy_kwh must not be negative")
    year = parameters.for_year(delivery_year)
    factor = year.ere_per_kwh
    exact = energy_kwh * factor
    return EreAmount(
        delivery_year=delivery_year,
        energy_kwh=energy_kwh,
        ere_exact=exact,
        ere=round_ere(exact),
        ere_per_kwh=factor,
        is_estimate=year.is_estimate,
        parameter_version=parameters.version,
    )


@dataclass(frozen=True, slots=True)
class Payout:
    """Money for a number of EREs at a price, after the service fee; all EUR, cents."""

    ere: Decimal
    price_eur_per_ere: Decimal
    fee_rate: Decimal
    gross_eur: Decimal
    fee_eur: Decimal
    payout_eur: Decimal


DEFAULT_FEE_RATE = Decimal("0.20")


class AmountError(ValueError):
    """A typed amount (a price, a fee rate) that is not acceptable; the message says why."""


class FeeRateError(AmountError):
    """A fee rate that is not a fraction in [0, 1]."""


def parse_amount(text: str, what: str) -> Decimal:
    """A non-negative amount as a person types it ("0.47", " 0,47 "): the one reading of
    prices and fees for the web, the CLI and the jobs.

    Raises:
        AmountError: not a number, not finite, or negative (`what` names it).
    """
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise AmountError(f"{what} {text!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise AmountError(f"{what} must be a number >= 0")
    return value


def check_fee_rate(fee_rate: Decimal) -> Decimal:
    """`fee_rate` if it is a finite fraction in [0, 1]: the one rule every door applies.

    Raises:
        FeeRateError: not finite, negative or above 1.
    """
    if not (fee_rate.is_finite() and Decimal(0) <= fee_rate <= 1):
        raise FeeRateError("the fee rate is a fraction between 0 and 1 (0.20 = 20 %)")
    return fee_rate


def parse_fee_rate(text: str) -> Decimal:
    """A fee rate typed by a person ("0.20", " 0,2 ") or passed to a job ("0.2").

    Raises:
        FeeRateError: not a number, or not a fraction in [0, 1].
    """
    try:
        return check_fee_rate(parse_amount(text, "the fee rate"))
    except FeeRateError:
        raise
    except AmountError as exc:
        raise FeeRateError(str(exc)) from None


def calculate_payout(
    ere: Decimal, price_eur_per_ere: Decimal, fee_rate: Decimal = DEFAULT_FEE_RATE
) -> Payout:
    """Gross, fee and payout in EUR for `ere` EREs sold at `price_eur_per_ere`.

    Raises:
        ValueError: a negative amount or price, or a fee rate outside [0, 1].
    """
    if ere < 0 or price_eur_per_ere < 0:
        raise ValueError("EREs and price must not be negative")
    check_fee_rate(fee_rate)
    gross = round_eur(ere * price_eur_per_ere)
    fee = round_eur(gross * fee_rate)
    return Payout(ere, price_eur_per_ere, fee_rate, gross, fee, gross - fee)
