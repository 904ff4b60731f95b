"""The knowledge base: what EREs are and where the money comes from, MID and SAP, and the
earnings calculator (a GET form: kWh per year -> EREs -> a euro range, from the ERE service's
`yearly_estimate` with the year's parameters). Public: someone deciding whether to use
chargebook reads it before they have an account."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from fastapi import APIRouter, Request
from fastapi.responses import Response

from chargebook.ere import DEFAULT_FEE_RATE, load_parameters
from chargebook.ere.service.credits import (
    HIGH_PRICE_EUR_PER_ERE,
    LOW_PRICE_EUR_PER_ERE,
    yearly_estimate,
)
from chargebook.web.deps import Ctx, OptionalUser
from chargebook.web.rendering import render

router = APIRouter(prefix="/learn")
MAX_KWH = Decimal(1_000_000)


@router.get("")
def learn(request: Request, context: Ctx, user: OptionalUser, kwh: str | None = None) -> Response:
    parameters = load_parameters()
    year = context.clock.now().year
    estimate = error = None
    if kwh:
        try:
            energy = Decimal(kwh.strip().replace(",", "."))
            if not energy.is_finite() or not Decimal(0) <= energy <= MAX_KWH:
                raise InvalidOperation
        except InvalidOperation:
            error = "enter the kWh you charge in a year, e.g. 2500"
        else:
            estimate = yearly_estimate(energy, year=year, parameters=parameters)
            if estimate is None:
                error = f"no ERE parameters for {year} yet"
    factor = None
    if year in parameters.years:
        factor = parameters.for_year(year).ere_per_kwh
    values = {
        "kwh": kwh or "",
        "estimate": estimate,
        "error": error,
        "year": year,
        "ere_per_kwh": factor,
        "fee_percent": int(DEFAULT_FEE_RATE * 100),
        "low_price": LOW_PRICE_EUR_PER_ERE,
        "high_price": HIGH_PRICE_EUR_PER_ERE,
    }
    return render(request, "learn.html", values, status_code=422 if error else 200)
