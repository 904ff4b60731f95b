"""Dutch grid-connection EAN codes: 18-digit GS1 numbers (GSRN) that start with 871.

The last digit is the GS1 mod-10 check digit: weights 3 and 1 alternate from the right, starting
with 3 on the digit next to the check digit; the check digit tops the weighted sum up to a
multiple of 10 (reference ere-rules.md §10).
"""

from __future__ import annotations

from chargebook.ere.exceptions import InvalidEanError

EAN_LENGTH = 18
DUTCH_PREFIX = "871"


def gs1_check_digit(body: str) -> int:
    """Compute the GS1 mod-10 check digit for `body` (all digits except the check digit).

    Args:
        body: the digits before the check digit, e.g. the first 17 digits of an EAN-18.

    Returns:
        The check digit, 0-9.

    Raises:
        ValueError: `body` is empty or holds a non-digit.
    """
    if not body or not body.isascii() or not body.isdigit():
        raise ValueError("a GS1 body is one or more ASCII digits")
    total = 0
    for position, char in enumerate(reversed(body)):
        total += int(char) * (3 if position % 2 == 0 else 1)
    return (10 - total % 10) % 10


def validate_ean(ean: str) -> str:
    """Check a Dutch connection EAN and return it normalised (surrounding spaces removed).

    Checks run in order: length (18), digits only, prefix 871, check digit.

    Raises:
        InvalidEanError: the first check that failed is named in `failed_check` and the
            message says what was expected.
    """
    code = ean.strip()
    if len(code) != EAN_LENGTH:
        raise InvalidEanError(ean, "length", f"expected {EAN_LENGTH} digits, got {len(code)}")
    if not code.isascii() or not code.isdigit():
        raise InvalidEanError(ean, "digits", "only the digits 0-9 are allowed")
    if not code.startswith(DUTCH_PREFIX):
        raise InvalidEanError(
            ean, "prefix", f"Dutch connection EANs start with {DUTCH_PREFIX}, not {code[:3]}"
        )
    expected = gs1_check_digit(code[:-1])
    if int(code[-1]) != expected:
        raise InvalidEanError(
            ean, "check_digit", f"the last digit should be {expected}, not {code[-1]} (typo?)"
        )
    return code


def is_valid_ean(ean: str) -> bool:
    """True when `validate_ean` would accept `ean`."""
    try:
        validate_ean(ean)
    except InvalidEanError:
        return False
    return True
