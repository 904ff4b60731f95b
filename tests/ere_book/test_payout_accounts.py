"""Payout details: the IBAN checked with schwifty, encrypted at rest, masked, changes audited;
a payout without them cannot be marked paid."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from chargebook.db.accounts.tables import AuditLogRow
from chargebook.db.ere.store import EreStore
from chargebook.ere.service import mark_paid
from chargebook.ere.service.iban import InvalidIbanError, check_account, mask_iban
from chargebook.ere.service.payout_accounts import payout_account, set_payout_account
from chargebook.ere.service.statements import MissingPayoutDetailsError

from .helpers import BookBuilder
from .payout_world import payout_world


@pytest.mark.parametrize(
    ("typed", "compact", "bic"),
    [
        ("NL91ABNA0417164300", "NL91ABNA0417164300", "ABNANL2A"),
        ("nl91 abna 0417 1643 00", "NL91ABNA0417164300", "ABNANL2A"),
        (" DE89 3704 0044 0532 0130 00 ", "DE89370400440532013000", "COBADEFFXXX"),
        ("be68539007547034", "BE68539007547034", None),
    ],
)
def test_good_ibans_are_normalised(typed: str, compact: str, bic: str | None) -> None:
    checked = check_account(typed, "  J.  Jansen ")
    assert (checked.iban, checked.bic, checked.holder) == (compact, bic, "J. Jansen")
    assert compact not in repr(checked)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("NL91 ABNA 0417 1643 01", "NL91 ABNA 0417 1643 01 has a wrong check digit"),
        ("NL91ABNA041716430", "has the wrong length for a NL IBAN (17 characters)"),
        ("DE8937040044053201300099", "wrong length for a DE IBAN"),
        ("QQ91ABNA0417164300", "does not start with a known country code"),
        ("NL91-ABNA-0417", "is not a valid IBAN"),
        ("", "enter an IBAN"),
    ],
)
def test_bad_ibans_say_why(typed: str, says: str) -> None:
    with pytest.raises(InvalidIbanError, match=re.escape(says)):
        check_account(typed, "J. Jansen")


def test_a_holder_name_is_required() -> None:
    with pytest.raises(InvalidIbanError, match="account holder"):
        check_account("NL91ABNA0417164300", "   ")


def test_mask_shows_country_and_last_four_only() -> None:
    assert mask_iban("NL91ABNA0417164300") == "NL** **** **** **43 00"
    assert mask_iban("de89 3704 0044 0532 0130 00") == "DE** **** **** **** **30 00"


def test_iban_is_encrypted_at_rest_and_changes_are_audited(book: BookBuilder) -> None:
    world = payout_world(book)
    anna = world.users["anna"]
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        set_payout_account(
            store, world.box, user_id=anna, iban="NL91 ABNA 0417 1643 00", holder="A. de Vries",
            actor="anna@example.com",
        )  # fmt: skip
        changed = set_payout_account(
            store, world.box, user_id=anna, iban="DE89370400440532013000", holder="A. de Vries",
            actor="anna@example.com",
        )  # fmt: skip
    assert changed.iban_masked == "DE** **** **** **** **30 00"
    with book.database.session() as session:
        raw = session.execute(text("SELECT * FROM ere_payout_accounts")).all()
        audit = session.scalars(
            select(AuditLogRow.payload).where(AuditLogRow.action.like("ere_payout_account.%"))
        ).all()
        shown = payout_account(EreStore(session, book.clock), anna)
    dumped = repr(raw) + repr(audit)
    for secret in ("NL91ABNA0417164300", "DE89370400440532013000", "0417164300", "0532013000"):
        assert secret not in dumped
    assert world.box.decrypt(raw[0].iban_encrypted) == "DE89370400440532013000"
    assert len(audit) == 2
    assert "NL** **** **** **43 00" in audit[1]
    assert "DE** **** **** **** **30 00" in audit[1]
    assert shown is not None
    assert shown.holder == "A. de Vries"
    assert shown.bic == "COBADEFFXXX"


def test_mark_paid_is_refused_without_payout_details(book: BookBuilder) -> None:
    world = payout_world(book)
    with (
        book.database.transaction() as session,
        pytest.raises(MissingPayoutDetailsError, match="has not entered payout details"),
    ):
        mark_paid(EreStore(session, book.clock), world.statements["cees"], "BANK-1")
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        set_payout_account(
            store, world.box, user_id=world.users["cees"], iban="BE68539007547034",
            holder="C. Peeters", actor="cees@example.com",
        )  # fmt: skip
        paid = mark_paid(store, world.statements["cees"], "BANK-1")
    assert paid.payout_reference == "BANK-1"
    assert paid.payout_iban_masked == "BE** **** **** 7034"
