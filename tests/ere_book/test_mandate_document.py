"""The signed mandate as a document: recorded at signing, drawn once, immutable, the owner's."""

from __future__ import annotations

import hashlib
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from chargebook.db.ere.store import EreStore
from chargebook.ere.mandate_text import CURRENT_VERSION
from chargebook.ere.service.mandate_document import mandate_pdf, owner_mandate_pdf
from chargebook.errors import NotFoundError

from .helpers import BookBuilder, mid_charger


def _pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages
    )


def _mandate_id(book: BookBuilder) -> tuple[int, int, str]:
    book.sync([mid_charger("901")], [])
    customer = book.customer("jansen@example.com", "40000000000001", ["901"])
    with book.database.session() as session:
        mandate = EreStore(session, book.clock).mandates.list(ean=customer.ean)[0]
    return mandate.id, customer.user_id, customer.ean


def test_the_pdf_states_what_was_signed(book: BookBuilder) -> None:
    mandate_id, user_id, ean = _mandate_id(book)
    with book.database.transaction() as session:
        pdf = owner_mandate_pdf(EreStore(session, book.clock), mandate_id, user_id)
    content = _pdf_text(pdf.data)
    assert pdf.sha256 == hashlib.sha256(pdf.data).hexdigest()
    for expected in (
        "J. Jansen",  # typed name and connected party
        ean,
        "2026 through 2027",
        "Dorpsstraat 12, 1234 AB Utrecht",
        "2026-01-02",  # date of signing
        "Recorded at 2027-01-15 12:00:00 UTC",
        f"Text version {CURRENT_VERSION}",
        "NEa may request connection data from the grid operator given",
        "A verifier may visit the charging location given",
        "ends on 2027-12-31",
        "never renewed silently",
        "registering 2028 needs a new mandate",
        "(id chargebook)",
    ):
        assert expected in content, expected
    assert "Drawn after signing" not in content


def test_the_pdf_is_drawn_once_and_kept(book: BookBuilder) -> None:
    mandate_id, _, _ = _mandate_id(book)
    with book.database.transaction() as session:
        first = mandate_pdf(EreStore(session, book.clock), mandate_id)
    with book.database.transaction() as session:
        again = mandate_pdf(EreStore(session, book.clock), mandate_id)
    assert again.data == first.data
    with pytest.raises(Exception, match="immutable"), book.database.transaction() as session:
        session.execute(
            text("UPDATE ere_mandate_documents SET pdf = :pdf WHERE mandate_id = :id"),
            {"pdf": b"forged", "id": mandate_id},
        )
    with pytest.raises(Exception, match="retention"), book.database.transaction() as session:
        session.execute(text("DELETE FROM ere_mandate_documents"))


def test_another_owner_gets_not_found(book: BookBuilder) -> None:
    mandate_id, _, _ = _mandate_id(book)
    other = book.user("buurman@example.com")
    with book.database.transaction() as session, pytest.raises(NotFoundError):
        owner_mandate_pdf(EreStore(session, book.clock), mandate_id, other)
    with book.database.transaction() as session, pytest.raises(NotFoundError):
        owner_mandate_pdf(EreStore(session, book.clock), mandate_id + 1000, other)


def test_a_mandate_signed_before_documents_is_drawn_and_says_so(book: BookBuilder) -> None:
    mandate_id, user_id, _ = _mandate_id(book)
    with book.database.transaction() as session:
        # A mandate from before migration 0015: no document row. The trigger refuses a delete,
        # so the test removes the row the way a pre-0015 book never had it: dropped trigger.
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("ALTER TABLE ere_mandate_documents DISABLE TRIGGER USER"))
            session.execute(text("DELETE FROM ere_mandate_documents"))
            session.execute(text("ALTER TABLE ere_mandate_documents ENABLE TRIGGER USER"))
        else:
            session.execute(text("DROP TRIGGER ere_mandate_documents_retained"))
            session.execute(text("DELETE FROM ere_mandate_documents"))
    with book.database.transaction() as session:
        pdf = owner_mandate_pdf(EreStore(session, book.clock), mandate_id, user_id)
    assert "Drawn after signing" in _pdf_text(pdf.data)
