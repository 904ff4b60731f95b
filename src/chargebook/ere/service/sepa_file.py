"""A SEPA credit transfer file (pain.001.001.09) written with sepaxml, which also validates it
against the schema it ships; the one place a full IBAN is written out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sepaxml import SepaTransfer

from chargebook.ere.service.errors import EreBookError

SEPA_SCHEMA = "pain.001.001.09"


class SepaFileError(EreBookError):
    """The transfers cannot be written as a valid pain.001 file."""


@dataclass(frozen=True, slots=True)
class SepaDebtor:
    """The operator's account the transfers are paid from."""

    name: str
    iban: str
    bic: str | None

    def __repr__(self) -> str:
        return f"SepaDebtor(name={self.name!r}, iban=<hidden>)"


@dataclass(frozen=True, slots=True)
class SepaCredit:
    """One transfer to an owner."""

    end_to_end_id: str  # at most 35 characters; names the statement
    name: str
    iban: str
    bic: str | None
    amount_eur: Decimal
    description: str

    def __repr__(self) -> str:
        return f"SepaCredit({self.end_to_end_id!r}, {self.amount_eur}, iban=<hidden>)"


def cents(amount_eur: Decimal) -> int:
    """EUR as whole cents, exactly (a payout is rounded to cents; anything else is refused).

    Raises:
        SepaFileError: the amount has fractions of a cent.
    """
    value = amount_eur * 100
    if value != value.to_integral_value():
        raise SepaFileError(f"EUR {amount_eur} is not a whole number of cents")
    return int(value)


def build_pain001(
    debtor: SepaDebtor, credits: Sequence[SepaCredit], *, execution_date: date
) -> tuple[str, bytes]:
    """(message id, the XML file) for one batch of transfers on `execution_date`.

    Raises:
        SepaFileError: no transfers, an amount with fractions of a cent, or a file the schema
            refuses.
    """
    if not credits:
        raise SepaFileError("a SEPA file needs at least one transfer")
    config: dict[str, object] = {
        "name": debtor.name,
        "IBAN": debtor.iban,
        "batch": True,
        "currency": "EUR",
    }
    if debtor.bic:
        config["BIC"] = debtor.bic
    try:
        transfer = SepaTransfer(config, schema=SEPA_SCHEMA, clean=True)
        for credit in credits:
            payment: dict[str, object] = {
                "name": credit.name,
                "IBAN": credit.iban,
                "amount": cents(credit.amount_eur),
                "execution_date": execution_date,
                "description": credit.description,
                "endtoend_id": credit.end_to_end_id,
            }
            if credit.bic:
                payment["BIC"] = credit.bic
            transfer.add_payment(payment)
        xml: bytes = transfer.export(validate=True)
    except SepaFileError:
        raise
    except Exception as exc:  # sepaxml raises bare Exception / ValidationError
        raise SepaFileError(f"the SEPA file could not be written: {exc}") from None
    return str(transfer.msg_id), xml
