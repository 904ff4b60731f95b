from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chargebook.ere import (
    ParametersError,
    calculate_ere,
    calculate_payout,
    estimate_earnings,
    load_parameters,
    parse_parameters,
    round_ere,
    round_eur,
)

PARAMS = load_parameters()


def _file(years: dict[str, Any], version: str = "test.1") -> str:
    return json.dumps({"version": version, "years": years})


def _year(share: str = "0.6", estimate: bool = False) -> dict[str, Any]:
    return {
        "renewable_share": {"value": share, "estimate": estimate, "source": "test"},
        "fossil_comparator_g_per_mj": {"value": "183", "source": "test"},
        "mj_per_kwh": {"value": "3.6", "source": "unit"},
    }


def test_shipped_2026_parameters() -> None:
    year = PARAMS.for_year(2026)
    assert PARAMS.version
    assert year.renewable_share.value == Decimal("0.505")
    assert year.ere_per_kwh == Decimal("0.332694")
    assert "3.8" in year.renewable_share.source
    assert not year.is_estimate


@pytest.mark.parametrize(
    ("kwh", "ere"),
    [
        pytest.param("2500", "831.7", id="reference-4.1-2500kWh"),
        pytest.param("3000", "998.1", id="reference-4.1-cross-check-3000kWh"),
        pytest.param("42.37", "14.1", id="joulo-session-42.37kWh"),
        pytest.param("0", "0.0", id="zero"),
    ],
)
def test_worked_examples_2026(kwh: str, ere: str) -> None:
    amount = calculate_ere(Decimal(kwh), 2026, PARAMS)
    assert amount.ere == Decimal(ere)
    assert amount.ere_exact == Decimal(kwh) * Decimal("0.332694")
    assert amount.parameter_version == PARAMS.version


def test_worked_example_money_matches_reference() -> None:
    # Joulo: 3,000 kWh -> 998 ERE -> EUR 488 gross, 98 fee, 390 net (at EUR 0.489/ERE)
    payout = calculate_payout(Decimal("998.1"), Decimal("0.489"))
    assert (payout.gross_eur, payout.fee_eur, payout.payout_eur) == (
        Decimal("488.07"),
        Decimal("97.61"),
        Decimal("390.46"),
    )
    # Reference 4.1: 2,500 kWh at EUR 0.485-0.505 gives EUR 403-420 gross
    estimate = estimate_earnings(
        Decimal(2500),
        delivery_year=2026,
        parameters=PARAMS,
        low_price_eur_per_ere=Decimal("0.485"),
        high_price_eur_per_ere=Decimal("0.505"),
    )
    assert estimate.ere == Decimal("831.7")
    assert estimate.low.gross_eur == Decimal("403.37")
    assert estimate.high.gross_eur == Decimal("420.01")
    assert estimate.low.payout_eur < estimate.high.payout_eur


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        pytest.param("831.735", "831.7", id="down"),
        pytest.param("998.082", "998.1", id="up"),
        pytest.param("0.05", "0.1", id="half-up"),
        pytest.param("0.25", "0.3", id="half-up-not-even"),
        pytest.param("0.049999", "0.0", id="below-half"),
    ],
)
def test_round_ere_is_half_up_to_tenths(value: str, rounded: str) -> None:
    assert round_ere(Decimal(value)) == Decimal(rounded)


def test_round_eur_is_half_up_to_cents() -> None:
    assert round_eur(Decimal("0.125")) == Decimal("0.13")
    assert round_eur(Decimal("0.135")) == Decimal("0.14")


def test_year_without_parameters_is_a_clear_error() -> None:
    with pytest.raises(ParametersError, match=r"delivery year 2031.*years available: 2026"):
        calculate_ere(Decimal(1), 2031, PARAMS)


def test_estimates_are_labelled() -> None:
    params = parse_parameters(_file({"2027": _year("0.55", estimate=True), "2026": _year()}))
    assert calculate_ere(Decimal(100), 2027, params).is_estimate
    assert not calculate_ere(Decimal(100), 2026, params).is_estimate
    assert calculate_ere(Decimal(100), 2027, params).ere == Decimal("36.2")  # 36.234


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        pytest.param("{", "not valid JSON", id="bad-json"),
        pytest.param(json.dumps({"years": {}}), "version", id="no-version"),
        pytest.param(json.dumps({"version": "1"}), "'years'", id="no-years"),
        pytest.param(_file({"20x6": _year()}), "four-digit", id="bad-year"),
        pytest.param(_file({"2026": {"mj_per_kwh": {}}}), "missing", id="missing-fields"),
        pytest.param(_file({"2026": _year("abc")}), "not a decimal", id="bad-number"),
        pytest.param(_file({"2026": _year("-0.1")}), "positive", id="negative"),
        pytest.param(_file({"2026": _year("1.2")}), "above 1", id="share-above-one"),
        pytest.param(
            _file({"2026": {**_year(), "mj_per_kwh": {"value": "3.6", "source": " "}}}),
            "source",
            id="no-source",
        ),
    ],
)
def test_malformed_parameter_files(text: str, fragment: str) -> None:
    with pytest.raises(ParametersError, match=fragment):
        parse_parameters(text)


@pytest.mark.parametrize(
    ("ere", "price", "fee", "fragment"),
    [
        pytest.param("-1", "0.5", "0.2", "negative", id="negative-ere"),
        pytest.param("1", "-0.5", "0.2", "negative", id="negative-price"),
        pytest.param("1", "0.5", "1.5", "fee rate", id="fee-above-one"),
    ],
)
def test_payout_rejects_bad_input(ere: str, price: str, fee: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        calculate_payout(Decimal(ere), Decimal(price), Decimal(fee))


def test_earnings_rejects_reversed_range_and_negative_energy() -> None:
    with pytest.raises(ValueError, match="low price"):
        estimate_earnings(
            Decimal(1),
            delivery_year=2026,
            parameters=PARAMS,
            low_price_eur_per_ere=Decimal(1),
            high_price_eur_per_ere=Decimal("0.5"),
        )
    with pytest.raises(ValueError, match="negative"):
        calculate_ere(Decimal(-1), 2026, PARAMS)


kwh = st.decimals(min_value=0, max_value=10**7, places=3, allow_nan=False, allow_infinity=False)
money = st.decimals(min_value=0, max_value=10, places=4, allow_nan=False, allow_infinity=False)


@given(kwh)
def test_rounding_is_stable_and_within_half_a_tenth(energy: Decimal) -> None:
    amount = calculate_ere(energy, 2026, PARAMS)
    assert round_ere(amount.ere) == amount.ere  # idempotent
    assert abs(amount.ere - amount.ere_exact) <= Decimal("0.05")
    assert calculate_ere(energy, 2026, PARAMS) == amount  # deterministic


@given(st.decimals(min_value=0, max_value=10**6, places=1), money, st.sampled_from(["0.1", "0.2"]))
def test_payout_gross_is_fee_plus_payout(ere: Decimal, price: Decimal, fee: str) -> None:
    payout = calculate_payout(ere, price, Decimal(fee))
    assert payout.gross_eur == payout.fee_eur + payout.payout_eur
    assert payout.payout_eur >= 0
    assert payout.gross_eur == payout.gross_eur.quantize(Decimal("0.01"))
