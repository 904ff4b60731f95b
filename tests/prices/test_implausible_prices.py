"""Prices no market can publish are a response error, never a slot: a price that is not a
finite number (ENTSO-E's XML may carry "NaN"; Decimal reads it), and a price or period
spanning more than a month (splitting a century into quarters would run for minutes)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from chargebook.domain.prices import PriceFormula
from chargebook.prices.energyzero import parse_energyzero
from chargebook.prices.entsoe import parse_entsoe
from chargebook.prices.exceptions import PriceSourceResponseError

from .test_entsoe import a44_document

DAY = datetime(2026, 3, 10, tzinfo=UTC)


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "sNaN"])
def test_entsoe_non_finite_price_is_a_response_error(amount: str) -> None:
    document = a44_document(DAY, DAY.replace(hour=1), [(1, "80.5"), (2, amount)])
    with pytest.raises(PriceSourceResponseError):
        parse_entsoe(document, PriceFormula())


def test_entsoe_period_of_a_century_is_refused_at_once() -> None:
    document = a44_document(DAY, DAY.replace(year=2126), [(1, "80.5")])
    began = time.monotonic()
    with pytest.raises(PriceSourceResponseError):
        parse_entsoe(document, PriceFormula())
    assert time.monotonic() - began < 1.0


def test_energyzero_price_spanning_years_is_refused() -> None:
    payload = {
        "interval": 4,
        "range": {"start": "2026-03-10T00:00:00Z", "end": "2026-03-11T00:00:00Z"},
        "base": [
            {
                "start": "2000-01-01T00:00:00Z",
                "end": "2100-01-01T00:00:00Z",
                "price": {"value": "0.1"},
            }
        ],
    }
    with pytest.raises(PriceSourceResponseError):
        parse_energyzero(payload, PriceFormula())
