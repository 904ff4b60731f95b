"""Shared fixtures: a fixed clock, an isolated data directory and databases per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.db.core.testing import (
    PostgresScratch,
    SqliteTemplate,
    empty_postgres_tables,
    sqlite_url,
)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 10, 18, 0, tzinfo=UTC))


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Never let a test touch the real ~/.local/share/chargebook."""
    data_dir = tmp_path / "data"
    monkeypatch.setenv("CHARGEBOOK_DATA_DIR", str(data_dir))
    for name in ("CHARGEBOOK_DATABASE_URL", "CHARGEBOOK_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    return data_dir


# --- Databases: the same test on SQLite and PostgreSQL --------------------------------------
# `database` gives each test an empty, migrated book. PostgreSQL runs when
# CHARGEBOOK_TEST_POSTGRES_URL is set; with CHARGEBOOK_REQUIRE_POSTGRES=1 (CI) a missing or
# unreachable server fails the postgres tests instead of skipping them.

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def postgres_scratch() -> Iterator[PostgresScratch]:
    url = os.environ.get("CHARGEBOOK_TEST_POSTGRES_URL")
    required = os.environ.get("CHARGEBOOK_REQUIRE_POSTGRES") == "1"
    if not url:
        if required:
            pytest.fail("CHARGEBOOK_REQUIRE_POSTGRES=1 but CHARGEBOOK_TEST_POSTGRES_URL is unset")
        pytest.skip("PostgreSQL tests need CHARGEBOOK_TEST_POSTGRES_URL")
    scratch = PostgresScratch(url)
    try:
        scratch.check_reachable()
    except Exception as exc:  # a set URL that does not work is a broken setup, never a skip
        pytest.fail(f"PostgreSQL at CHARGEBOOK_TEST_POSTGRES_URL is unreachable: {exc}")
    yield scratch
    scratch.close()


@pytest.fixture(scope="session")
def _migrated_postgres(postgres_scratch: PostgresScratch) -> Iterator[Database]:
    database = postgres_scratch.migrated_database()
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    return SqliteTemplate(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty book at the newest schema revision, on SQLite or PostgreSQL."""
    if request.param == "postgres":
        shared: Database = request.getfixturevalue("_migrated_postgres")
        empty_postgres_tables(shared.engine)
        yield shared
        return
    template: SqliteTemplate = request.getfixturevalue("_sqlite_template")
    database = template.clone(tmp_path / "book.sqlite3")
    yield database
    database.dispose()


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a database with no tables at all (for migration and `db upgrade` tests)."""
    if request.param == "postgres":
        scratch: PostgresScratch = request.getfixturevalue("postgres_scratch")
        return scratch.new_schema_url()
    return sqlite_url(tmp_path / "empty.sqlite3")
