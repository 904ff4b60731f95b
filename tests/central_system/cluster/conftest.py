"""The cluster is a PostgreSQL feature: its tests take a PostgreSQL book (`pg_book`) and,
for the single-process side, a SQLite one (`sqlite_book`), instead of the parametrized
`database` that would have them skip on the other backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chargebook.db import Database
from chargebook.db.core.testing import SqliteTemplate, empty_postgres_tables


@pytest.fixture
def pg_book(_migrated_postgres: Database) -> Database:
    """An empty book at the newest revision on PostgreSQL."""
    empty_postgres_tables(_migrated_postgres.engine)
    return _migrated_postgres


@pytest.fixture
def sqlite_book(_sqlite_template: SqliteTemplate, tmp_path: Path) -> Iterator[Database]:
    """An empty book at the newest revision on SQLite."""
    database = _sqlite_template.clone(tmp_path / "book.sqlite3")
    yield database
    database.dispose()
