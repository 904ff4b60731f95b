from __future__ import annotations

import pytest

from chargebook.ere import InvalidEanError, gs1_check_digit, is_valid_ean, validate_ean

from .factories import make_ean


def test_hand_verified_gs1_examples() -> None:
    # Widely published GTIN-13 4006381333931: weights 1,3 from the left of 12 digits give 89,
    # so the check digit is 1.
    assert gs1_check_digit("400638133393") == 1
    # Worked by hand for an 18-digit Dutch EAN (the reference §10 gives the rule, no example):
    # body 87168712000123456, weights 3,1,3,... from the right: 6*3+5+4*3+3+2*3+1+0+0+0+2+1*3
    # +7+8*3+6+1*3+7+8*3 = 121 -> check digit (10 - 1) % 10 = 9.
    assert gs1_check_digit("87168712000123456") == 9
    assert validate_ean("871687120001234569") == "871687120001234569"


@pytest.mark.parametrize(
    "tail", ["00000000000000", "68712000123456", "99999999999999", "12345678901234"]
)
def test_built_eans_validate(tail: str) -> None:
    ean = make_ean(tail)
    assert len(ean) == 18
    assert validate_ean(f"  {ean} ") == ean
    assert is_valid_ean(ean)


@pytest.mark.parametrize(
    ("ean", "failed_check", "fragment"),
    [
        pytest.param("87168712000123456", "length", "got 17", id="too-short"),
        pytest.param("8716871200012345690", "length", "got 19", id="too-long"),
        pytest.param("", "length", "got 0", id="empty"),
        pytest.param("87168712000123456X", "digits", "0-9", id="letter"),
        pytest.param("871687120001234-69", "digits", "0-9", id="dash"),
        pytest.param("５71687120001234569", "digits", "0-9", id="fullwidth-digit"),
        pytest.param("541687120001234569", "prefix", "not 541", id="belgian-prefix"),
        pytest.param("871687120001234568", "check_digit", "should be 9, not 8", id="wrong-check"),
        pytest.param("871687120001243569", "check_digit", "should be", id="swapped-digits"),
    ],
)
def test_invalid_eans_name_the_failed_check(ean: str, failed_check: str, fragment: str) -> None:
    with pytest.raises(InvalidEanError) as info:
        validate_ean(ean)
    assert info.value.failed_check == failed_check
    assert fragment in info.value.message
    assert not info.value.retryable
    assert not is_valid_ean(ean)


@pytest.mark.parametrize("body", ["", "12a", " 1"])
def test_check_digit_rejects_non_digits(body: str) -> None:
    with pytest.raises(ValueError, match="digits"):
        gs1_check_digit(body)
