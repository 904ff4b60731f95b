"""How the connected party (aangeslotene) of a grid connection was verified, and when.

The scheme requires the ERE customer to be the connected party of the connection, as the
grid operator's CAR register knows it (ere-rules §2.5); the provider records the evidence it
relied on. A record is never edited: a newer one supersedes it, so the history stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class PartyVerificationMethod(StrEnum):
    """The evidence the connected party was checked against."""

    ENERGY_BILL = "energy_bill"  # a recent energy bill naming the customer and the EAN
    GRID_OPERATOR_LETTER = "grid_operator_letter"  # a letter from the grid operator (DSO)
    CAR_REGISTER = "car_register"  # the DSO's answer from the CAR register
    OWNER_DECLARATION = "owner_declaration"  # the customer's own declaration (weakest)

    @property
    def label(self) -> str:
        """The method in words, for pages and tables."""
        return _LABELS[self]


_LABELS = {
    PartyVerificationMethod.ENERGY_BILL: "energy bill",
    PartyVerificationMethod.GRID_OPERATOR_LETTER: "grid operator letter",
    PartyVerificationMethod.CAR_REGISTER: "CAR register (via the grid operator)",
    PartyVerificationMethod.OWNER_DECLARATION: "owner declaration",
}


def parse_method(text: str) -> PartyVerificationMethod:
    """A method from its value or its words (`energy_bill`, "energy bill", any case).

    Raises:
        ValueError: names the accepted values.
    """
    key = text.strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return PartyVerificationMethod(key)
    except ValueError:
        choices = ", ".join(m.value for m in PartyVerificationMethod)
        raise ValueError(f"{text!r} is not a verification method: use one of {choices}") from None


@dataclass(frozen=True, slots=True)
class PartyVerification:
    """One check of a connection's connected party: how, by whom, on which day."""

    id: int
    connection_id: int
    method: PartyVerificationMethod
    verified_by: str  # who checked it (the operator's name or e-mail)
    verified_on: date
    note: str | None
    recorded_at: datetime
