"""A finalized batch is immutable: the repository refuses, and so does the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import DeliveryPeriod
from chargebook.ere.service import BatchFinalizedError, create_batch, discard_batch, finalize_batch

from .helpers import NOW, PARAMETERS, BookBuilder, mid_charger

START = datetime(2026, 2, 1, 6, 0, tzinfo=UTC)


def _finalized_batch(book: BookBuilder) -> int:
    book.sync([mid_charger("801")], [])
    charger = book.charger_id("801")
    book.customer("u@example.com", "30000000000001", ["801"])
    book.insert_sessions(charger, [(f"f{n}", START + timedelta(days=n), 60, "8") for n in range(5)])
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        batch = create_batch(store, DeliveryPeriod(2026, 1), parameters=PARAMETERS, now=NOW).batch
        finalize_batch(store, batch.id)
    return batch.id


def test_the_repository_refuses_changes_to_a_finalized_batch(book: BookBuilder) -> None:
    batch_id = _finalized_batch(book)
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        line = store.batches.lines(batch_id)[0]
        with pytest.raises(BatchFinalizedError):
            store.batches.update_line(line.id, energy_kwh=Decimal(1))
        with pytest.raises(BatchFinalizedError):
            discard_batch(store, batch_id)
        with pytest.raises(BatchFinalizedError):
            finalize_batch(store, batch_id)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ere_batches SET total_ere = 0 WHERE id = :batch",
        "UPDATE ere_batches SET status = 'draft' WHERE id = :batch",
        "DELETE FROM ere_batches WHERE id = :batch",
        "UPDATE ere_batch_lines SET energy_kwh = 1 WHERE batch_id = :batch",
        "DELETE FROM ere_batch_lines WHERE batch_id = :batch",
        "UPDATE ere_batch_sessions SET energy_kwh = 1 WHERE batch_id = :batch",
        "DELETE FROM ere_batch_sessions WHERE batch_id = :batch",
        "INSERT INTO ere_batch_sessions (session_id, batch_id, line_id, energy_kwh, raw_sha256) "
        "SELECT id, :batch, (SELECT MIN(id) FROM ere_batch_lines WHERE batch_id = :batch), 1, "
        "raw_sha256 FROM charging_sessions WHERE external_id = 'extra'",
    ],
)
def test_the_database_refuses_changes_to_a_finalized_batch(
    book: BookBuilder, statement: str
) -> None:
    batch_id = _finalized_batch(book)
    book.insert_sessions(book.charger_id("801"), [("extra", START + timedelta(days=20), 60, "3")])
    with (
        # PostgreSQL checks the foreign key of a line's sessions before the statement trigger.
        pytest.raises(Exception, match=r"finalized and immutable|violates foreign key"),
        book.database.transaction() as session,
    ):
        session.execute(text(statement), {"batch": batch_id})
    with book.database.session() as session:
        store = EreStore(session, book.clock)
        assert store.batches.get(batch_id).session_count == 5
        assert session.execute(text("SELECT COUNT(*) FROM ere_batch_sessions")).scalar_one() == 5


def test_a_draft_can_be_discarded_and_its_sessions_registered_again(book: BookBuilder) -> None:
    book.sync([mid_charger("811")], [])
    charger = book.charger_id("811")
    book.customer("v@example.com", "30000000000011", ["811"])
    book.insert_sessions(charger, [("d1", START, 60, "8")])
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        draft = create_batch(store, DeliveryPeriod(2026), parameters=PARAMETERS, now=NOW).batch
        discard_batch(store, draft.id)
        again = create_batch(store, DeliveryPeriod(2026), parameters=PARAMETERS, now=NOW).batch
    assert again.session_count == 1
