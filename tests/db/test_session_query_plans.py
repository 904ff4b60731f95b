"""SQLite query plans of the pages' session reads: an owner's ok sessions are read through
(charger_id, started_at); the quarantined ones through their partial index (migration 0010)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event

from chargebook.db import Database, SessionRepository
from chargebook.db.book.reads import BookReadRepository
from chargebook.db.core.testing import SqliteTemplate
from chargebook.domain.book import SessionState


def _plans(database: Database, read: object) -> list[str]:
    """The EXPLAIN QUERY PLAN lines of every statement `read(session)` runs."""
    statements: list[tuple[str, object]] = []

    def record(_c: object, _cur: object, statement: str, params: object, *_: object) -> None:
        if not statement.startswith("EXPLAIN"):
            statements.append((statement, params))

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        with database.session() as session:
            read(session)  # type: ignore[operator]
            lines = []
            for statement, params in statements:
                rows = session.connection().exec_driver_sql(
                    "EXPLAIN QUERY PLAN " + statement,
                    params,  # type: ignore[arg-type]
                )
                lines.extend(str(row[-1]) for row in rows)
            return lines
    finally:
        event.remove(database.engine, "before_cursor_execute", record)


def test_owner_reads_of_ok_sessions_use_the_charger_index(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    template: SqliteTemplate = request.getfixturevalue("_sqlite_template")
    database = template.clone(tmp_path / "plans.sqlite3")
    june = datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)
    ok = SessionState.OK
    reads = {
        "list": lambda s: SessionRepository(s).list(owner_user_id=1, state=ok, limit=500),
        "totals": lambda s: SessionRepository(s).totals(owner_user_id=1, state=ok),
        "june": lambda s: SessionRepository(s).totals(
            owner_user_id=1, state=ok, start=june[0], end=june[1]
        ),
        "months": lambda s: SessionRepository(s).energy_by_month(owner_user_id=1),
        "page": lambda s: BookReadRepository(s).session_page(charger_ids=[1, 2], state=ok),
    }
    try:
        for name, read in reads.items():
            plans = _plans(database, read)
            assert plans, name
            assert any("ix_charging_sessions_charger_id_started_at" in line for line in plans), (
                name,
                plans,
            )
        # Quarantined sessions are few and the only ones indexed by state: the partial index
        # applies (SQLite needs the state as a literal for that), for the list and the count.
        quarantined = SessionState.QUARANTINED
        for read in (
            lambda s: SessionRepository(s).list(state=quarantined, limit=50),
            lambda s: SessionRepository(s).count(state=quarantined),
        ):
            plans = _plans(database, read)
            assert any("ix_charging_sessions_quarantined" in line for line in plans), plans
        # The operator's count of every session scans an index, not the table.
        plans = _plans(database, lambda s: SessionRepository(s).count())
        assert any("COVERING INDEX" in line for line in plans), plans
    finally:
        database.dispose()
