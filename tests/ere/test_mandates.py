from __future__ import annotations

from datetime import date

import pytest

from chargebook.ere import (
    MandateConflictError,
    MandateProblem,
    ProviderConflict,
    check_single_provider,
    find_provider_conflicts,
    mandate_for_year,
    mandate_problems,
)
from chargebook.ere.mandates import covered_through

from .factories import EAN, make_ean, make_mandate


@pytest.mark.parametrize(
    ("changes", "problems"),
    [
        pytest.param({}, (), id="complete"),
        pytest.param({"ean": "871000000000000000"}, ("invalid_ean",), id="bad-ean"),
        pytest.param({"first_year": 2027}, ("years_reversed",), id="years-reversed"),
        pytest.param({"grid_consent": False}, ("no_grid_operator_consent",), id="no-grid-consent"),
        pytest.param({"verifier_consent": False}, ("no_verifier_consent",), id="no-visit-consent"),
        pytest.param({"signed_by": "  "}, ("not_signed",), id="no-signature"),
        pytest.param(
            {"signed_on": date(2027, 1, 5)}, ("signed_after_last_year",), id="signed-too-late"
        ),
        pytest.param(
            {"grid_consent": False, "verifier_consent": False},
            ("no_grid_operator_consent", "no_verifier_consent"),
            id="both-consents-missing",
        ),
    ],
)
def test_mandate_problems(changes: dict[str, object], problems: tuple[str, ...]) -> None:
    assert mandate_problems(make_mandate(**changes)) == tuple(  # type: ignore[arg-type]
        MandateProblem(p) for p in problems
    )


def test_one_provider_per_ean_per_year() -> None:
    other = make_ean("00000000000002")
    mandates = [
        make_mandate(mandate_id="a", provider="idv-1", first_year=2026, last_year=2027),
        make_mandate(mandate_id="b", provider="idv-2", first_year=2027, last_year=2028),
        make_mandate(mandate_id="c", provider="idv-1", first_year=2026, last_year=2026),
        make_mandate(mandate_id="d", ean=other, provider="idv-2", first_year=2026, last_year=2026),
    ]
    assert find_provider_conflicts(mandates) == [ProviderConflict(EAN, 2027, ("idv-1", "idv-2"))]
    with pytest.raises(MandateConflictError, match="2027") as info:
        check_single_provider(mandates)
    assert info.value.provider_ids == ("idv-1", "idv-2")
    check_single_provider([m for m in mandates if m.mandate_id != "b"])  # switching at year end


def test_mandate_for_year_prefers_a_valid_one_and_filters_provider() -> None:
    incomplete = make_mandate(mandate_id="x", verifier_consent=False)
    valid = make_mandate(mandate_id="y")
    assert mandate_for_year([incomplete, valid], 2026) == valid
    assert mandate_for_year([incomplete], 2026) == incomplete
    assert mandate_for_year([valid], 2025) is None
    assert mandate_for_year([valid], 2026, service_provider_id="someone-else") is None


def test_covered_through_follows_the_unbroken_run_of_years_and_one_provider() -> None:
    mandates = [
        make_mandate(first_year=2026, last_year=2026, signed_on=date(2026, 11, 20)),
        make_mandate(mandate_id="m2", first_year=2027, last_year=2028),
        make_mandate(mandate_id="m3", first_year=2030, last_year=2030),
        make_mandate(mandate_id="m4", provider="other", first_year=2029, last_year=2029),
    ]
    assert covered_through(mandates, 2026, service_provider_id="idv-1") == 2028
    assert covered_through(mandates, 2026) == 2030  # any provider: 2029 closes the gap
    assert covered_through(mandates, 2029, service_provider_id="idv-1") is None
    assert covered_through(mandates, 2025) is None
    assert covered_through([], 2026) is None
