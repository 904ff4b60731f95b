"""The database ties a registered session to a line of its own batch (one composite foreign
key, migration 0008), while registering each session once, ever (the primary key)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import DeliveryPeriod
from chargebook.domain.ere_book import period_kind_of
from chargebook.ere.service import create_batch, discard_batch

from .helpers import NOW, PARAMETERS, BookBuilder, mid_charger

START = datetime(2026, 2, 1, 6, 0, tzinfo=UTC)
Q1 = DeliveryPeriod(2026, 1)


def _draft_and_other_batch(book: BookBuilder) -> tuple[int, int]:
    """A draft batch with five sessions, and a second (empty) draft batch of the period."""
    book.sync([mid_charger("821")], [])
    charger = book.charger_id("821")
    book.customer("k@example.com", "30000000000021", ["821"])
    book.insert_sessions(charger, [(f"k{n}", START + timedelta(days=n), 60, "8") for n in range(5)])
    book.insert_sessions(charger, [("late", START + timedelta(days=100), 60, "3")])
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        batch = create_batch(store, Q1, parameters=PARAMETERS, now=NOW).batch
        other = store.batches.create(
            period=Q1, period_kind=period_kind_of(Q1), parameter_version="x", corrects_batch_id=None
        )
    return batch.id, other


@pytest.mark.parametrize(
    "statement",
    [
        # a new session under the other batch, with this batch's line
        "INSERT INTO ere_batch_sessions (session_id, batch_id, line_id, energy_kwh, raw_sha256) "
        "SELECT id, :other, (SELECT MIN(id) FROM ere_batch_lines WHERE batch_id = :batch), 3, "
        "raw_sha256 FROM charging_sessions WHERE external_id = 'late'",
        # a registered session moved to the other batch, keeping its line
        "UPDATE ere_batch_sessions SET batch_id = :other WHERE batch_id = :batch",
    ],
)
def test_a_session_must_be_on_a_line_of_its_own_batch(book: BookBuilder, statement: str) -> None:
    batch_id, other = _draft_and_other_batch(book)
    with (
        pytest.raises(Exception, match=r"(?i)foreign key"),
        book.database.transaction() as session,
    ):
        session.execute(text(statement), {"batch": batch_id, "other": other})
    with book.database.session() as session:
        count = session.execute(
            text("SELECT COUNT(*) FROM ere_batch_sessions WHERE batch_id = :batch"),
            {"batch": batch_id},
        ).scalar_one()
        assert count == 5


def test_a_session_is_registered_once_even_in_another_batch(book: BookBuilder) -> None:
    batch_id, other = _draft_and_other_batch(book)
    with book.database.transaction() as session:
        line = session.execute(
            text(
                "INSERT INTO ere_batch_lines (batch_id, customer_user_id, ean, period, "
                "delivery_start, delivery_end, metering_kind, energy_kwh, sessions_energy_kwh, "
                "energy_kwh_by_month, session_count, mandate_id, ere_exact, ere, is_estimate) "
                "SELECT :other, customer_user_id, ean, period, delivery_start, delivery_end, "
                "metering_kind, 0, 0, '{}', 0, mandate_id, '0', 0, is_estimate "
                "FROM ere_batch_lines WHERE batch_id = :batch RETURNING id"
            ),
            {"batch": batch_id, "other": other},
        ).scalar_one()
    with (
        pytest.raises(Exception, match=r"(?i)unique|duplicate key"),
        book.database.transaction() as session,
    ):
        session.execute(
            text(
                "INSERT INTO ere_batch_sessions (session_id, batch_id, line_id, energy_kwh, "
                "raw_sha256) SELECT session_id, :other, :line, energy_kwh, raw_sha256 "
                "FROM ere_batch_sessions WHERE batch_id = :batch"
            ),
            {"batch": batch_id, "other": other, "line": line},
        )


def test_a_registration_of_a_missing_session_is_refused(book: BookBuilder) -> None:
    batch_id, _ = _draft_and_other_batch(book)
    with (
        pytest.raises(Exception, match=r"(?i)foreign key"),
        book.database.transaction() as session,
    ):
        session.execute(
            text(
                "INSERT INTO ere_batch_sessions (session_id, batch_id, line_id, energy_kwh, "
                "raw_sha256) SELECT MAX(session_id) + 1000, batch_id, MIN(line_id), 1, 'x' "
                "FROM ere_batch_sessions WHERE batch_id = :batch GROUP BY batch_id"
            ),
            {"batch": batch_id},
        )


@pytest.mark.parametrize(
    "statement",
    [
        # the registered sessions and their lines: what the foreign keys protect
        "DELETE FROM charging_sessions WHERE id IN "
        "(SELECT session_id FROM ere_batch_sessions WHERE batch_id = :batch)",
        "UPDATE charging_sessions SET id = id + 100000 WHERE id IN "
        "(SELECT session_id FROM ere_batch_sessions WHERE batch_id = :batch)",
        "DELETE FROM ere_batch_lines WHERE batch_id = :batch",
        "UPDATE ere_batch_lines SET batch_id = :other WHERE batch_id = :batch",
    ],
)
def test_what_a_registration_references_cannot_go_away(book: BookBuilder, statement: str) -> None:
    batch_id, other = _draft_and_other_batch(book)
    with (
        pytest.raises(Exception, match=r"(?i)foreign key"),
        book.database.transaction() as session,
    ):
        session.execute(text(statement), {"batch": batch_id, "other": other})
    with book.database.session() as session:
        counts = session.execute(
            text(
                "SELECT COUNT(*), COUNT(c.id), COUNT(DISTINCT l.id) FROM ere_batch_sessions s "
                "LEFT JOIN charging_sessions c ON c.id = s.session_id "
                "LEFT JOIN ere_batch_lines l ON l.id = s.line_id AND l.batch_id = s.batch_id "
                "WHERE s.batch_id = :batch"
            ),
            {"batch": batch_id},
        ).one()
        assert tuple(counts) == (5, 5, 1)


def test_unregistered_sessions_and_a_discarded_drafts_lines_can_go(book: BookBuilder) -> None:
    batch_id, _ = _draft_and_other_batch(book)
    with book.database.transaction() as session:
        deleted = session.execute(
            text(
                "DELETE FROM charging_sessions WHERE external_id = 'late' AND id NOT IN "
                "(SELECT session_id FROM ere_batch_sessions)"
            )
        )
        assert deleted.rowcount == 1
        discard_batch(EreStore(session, book.clock), batch_id)
    with book.database.session() as session:
        assert session.execute(text("SELECT COUNT(*) FROM ere_batch_lines")).scalar_one() == 0
