"""Fixtures for the ERE book tests (databases come from tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.db.core.testing import SqliteTemplate, empty_postgres_tables

from .helpers import NOW, BookBuilder

FreshDatabases = Callable[[], Database]


@pytest.fixture
def ere_clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def book(database: Database, ere_clock: FixedClock) -> BookBuilder:
    return BookBuilder(database, ere_clock)


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def fresh_databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FreshDatabases]:
    """A factory of empty, migrated books (one per hypothesis example)."""
    opened: list[Database] = []
    if request.param == "postgres":
        shared: Database = request.getfixturevalue("_migrated_postgres")

        def fresh_postgres() -> Database:
            empty_postgres_tables(shared.engine)
            return shared

        yield fresh_postgres
        return
    template: SqliteTemplate = request.getfixturevalue("_sqlite_template")

    def fresh_sqlite() -> Database:
        database = template.clone(tmp_path / f"book-{len(opened)}.sqlite3")
        opened.append(database)
        return database

    yield fresh_sqlite
    for database in opened:
        database.dispose()
