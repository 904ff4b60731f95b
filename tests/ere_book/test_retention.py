"""Retention: the evidence of a registered booking is kept at least five years (ere-rules.md
§5.6). Every delete path there is leaves it: a charger transfer, discarding batches, plain
DELETEs on each evidence table (the database refuses), deleting the customer or the charger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from chargebook.db.book.transfers import transfer_charger
from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import DeliveryPeriod
from chargebook.ere.service import (
    BatchFinalizedError,
    create_batch,
    discard_batch,
    finalize_batch,
    generate_statements,
    set_price,
)
from chargebook.ere.service.mandate_document import mandate_pdf

from .helpers import NOW, PARAMETERS, BookBuilder, mid_charger

START = datetime(2026, 2, 1, 6, 0, tzinfo=UTC)
Q1 = DeliveryPeriod(2026, 1)
EVIDENCE = (
    "charging_sessions",
    "ere_batch_sessions",
    "ere_batch_lines",
    "ere_batches",
    "ere_mandates",
    "ere_mandate_years",
    "ere_mandate_documents",
    "ere_connections",
    "ere_statements",
    "ere_statement_lines",
    "ere_payouts",
    "audit_log",
)


def _counts(book: BookBuilder) -> dict[str, int]:
    with book.database.session() as session:
        return {
            table: session.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()  # noqa: S608
            for table in EVIDENCE
        }


def _registered_year(book: BookBuilder) -> dict[str, int]:
    book.sync([mid_charger("801")], [])
    charger = book.charger_id("801")
    book.customer("u@example.com", "30000000000001", ["801"])
    book.insert_sessions(charger, [(f"f{n}", START + timedelta(days=n), 60, "8") for n in range(5)])
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        batch = create_batch(store, Q1, parameters=PARAMETERS, now=NOW).batch
        finalize_batch(store, batch.id)
        set_price(store, Q1, Decimal("0.45"))
        generate_statements(store, Q1, fee_rate=Decimal("0.2"))
        mandate_pdf(store, store.mandates.list()[0].id)
    counts = _counts(book)
    assert all(counts[table] for table in EVIDENCE), counts
    return counts


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM ere_mandates",
        "DELETE FROM ere_mandate_documents",
        "DELETE FROM ere_statements",
        "DELETE FROM ere_statement_lines",
        "DELETE FROM ere_payouts",
        "DELETE FROM ere_mandate_years",
    ],
)
def test_the_database_refuses_deleting_evidence(book: BookBuilder, statement: str) -> None:
    before = _registered_year(book)
    with pytest.raises(Exception, match="retention"), book.database.transaction() as session:
        session.execute(text(statement))
    assert _counts(book) == before


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM charging_sessions",  # registered sessions: foreign keys (0008/0009)
        "DELETE FROM ere_batches",  # a finalized batch (0003)
        "DELETE FROM ere_connections",
        "DELETE FROM users WHERE email = 'u@example.com'",  # account deletion
        "DELETE FROM chargers",  # charger removal
        "DELETE FROM audit_log",  # raw payloads replaced by a later sync live on here (0001)
    ],
)
def test_nothing_that_evidence_hangs_on_can_go(book: BookBuilder, statement: str) -> None:
    before = _registered_year(book)
    with pytest.raises(Exception), book.database.transaction() as session:  # noqa: B017,PT011
        session.execute(text(statement))
    assert _counts(book) == before


def test_a_transfer_and_discards_keep_the_registered_evidence(book: BookBuilder) -> None:
    before = _registered_year(book)
    book.user("buyer@example.com")
    with book.database.transaction() as session:
        transfer_charger(session, book.clock, charger_id=book.charger_id("801"),
                         to_email="buyer@example.com", actor="test")  # fmt: skip
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        with pytest.raises(BatchFinalizedError):
            discard_batch(store, store.batches.list()[0].id)
    after = _counts(book)
    assert {t: after[t] for t in EVIDENCE if t != "audit_log"} == {
        t: before[t] for t in EVIDENCE if t != "audit_log"
    }
    assert after["audit_log"] > before["audit_log"]
