"""An owner's bank account for payouts: the IBAN checked with schwifty, and its masked form.

The full IBAN is a secret of the owner (stored encrypted, written only into the SEPA file);
everything a person or a log sees is `mask_iban` (country code and the last four characters).
"""

from __future__ import annotations

from dataclasses import dataclass

from schwifty import IBAN
from schwifty.exceptions import (
    InvalidBBANChecksum,
    InvalidChecksumDigits,
    InvalidCountryCode,
    InvalidLength,
    SchwiftyException,
)

from chargebook.ere.exceptions import EreError

HOLDER_MAX_LENGTH = 70  # the creditor name a pain.001 file carries


class InvalidIbanError(EreError):
    """An IBAN or account holder name failed a check; the message says which and how to fix."""


@dataclass(frozen=True, slots=True)
class CheckedAccount:
    """A valid bank account: the compact IBAN (secret), the holder, the BIC when known."""

    iban: str  # compact, upper case: NL91ABNA0417164300
    holder: str
    bic: str | None
    country_code: str

    @property
    def masked(self) -> str:
        return mask_iban(self.iban)

    def __repr__(self) -> str:  # never the full IBAN in a log or a traceback
        return f"CheckedAccount(iban={self.masked!r}, holder={self.holder!r}, bic={self.bic!r})"


def _grouped(text: str) -> str:
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def mask_iban(iban: str) -> str:
    """`NL91ABNA0417164300` -> `NL** **** **** **43 00`: the country and the last 4 only."""
    compact = "".join(iban.split()).upper()
    if len(compact) <= 6:
        return "*" * len(compact)
    return _grouped(compact[:2] + "*" * (len(compact) - 6) + compact[-4:])


def check_account(iban_text: str, holder_text: str) -> CheckedAccount:
    """Validate an IBAN (spaces and case do not matter) and the account holder's name.

    Raises:
        InvalidIbanError: empty, wrong country, wrong length, wrong check digits, bad
            characters, not in the SEPA zone, or a missing / too long holder name.
    """
    holder = " ".join(holder_text.split())
    if not holder:
        raise InvalidIbanError("enter the account holder's name as the bank knows it")
    if len(holder) > HOLDER_MAX_LENGTH:
        raise InvalidIbanError(f"the account holder's name is longer than {HOLDER_MAX_LENGTH}")
    compact = "".join(iban_text.split()).upper()
    if not compact:
        raise InvalidIbanError("enter an IBAN, e.g. NL00 BANK 0123 4567 89")
    shown = _grouped(compact)
    try:
        iban = IBAN(compact)
    except InvalidChecksumDigits:
        raise InvalidIbanError(
            f"{shown} has a wrong check digit: check for a typing error"
        ) from None
    except InvalidLength:
        raise InvalidIbanError(
            f"{shown} has the wrong length for a {compact[:2]} IBAN ({len(compact)} characters)"
        ) from None
    except InvalidCountryCode:
        raise InvalidIbanError(f"{shown} does not start with a known country code") from None
    except InvalidBBANChecksum:
        raise InvalidIbanError(f"{shown} has a wrong account number check digit") from None
    except SchwiftyException:
        raise InvalidIbanError(
            f"{shown} is not a valid IBAN (letters and digits only, e.g. NL00 BANK 0123 4567 89)"
        ) from None
    if not iban.in_sepa_zone:
        raise InvalidIbanError(
            f"{shown}: payouts go by SEPA transfer, to an account in the SEPA zone"
        )
    return CheckedAccount(iban.compact, holder, _bic(iban), iban.country_code)


def _bic(iban: IBAN) -> str | None:
    # schwifty knows the BIC of many banks from the bank code; unknown is fine for SEPA
    # (IBAN-only transfers), so a lookup failure is not an error.
    try:
        bic = iban.bic
    except SchwiftyException:
        return None
    return None if bic is None else str(bic.compact)
