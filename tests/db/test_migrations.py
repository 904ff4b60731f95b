"""Migrations: up from empty, down to base and up again, and identical to the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, MetaData, String, inspect, text

from chargebook.db import Database, SchemaOutdatedError, open_database
from chargebook.db.core import job_queue, migrate
from chargebook.db.core.dialect_ddl import include_object_for
from chargebook.db.core.engine import create_book_engine, normalize_database_url
from chargebook.db.core.testing import PostgresScratch
from chargebook.db.schema import metadata
from chargebook.errors import ConfigurationError
from chargebook.settings import Settings

BOOK_TABLES = {
    "users",
    "wallbox_accounts",
    "chargers",
    "charging_sessions",
    "session_samples",
    "sync_state",
    "audit_log",
}


def _tables(database: Database) -> set[str]:
    return set(inspect(database.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_from_empty_then_down_to_base_and_up_again(empty_database_url: str) -> None:
    database = Database(create_book_engine(empty_database_url))
    try:
        assert _tables(database) == set()
        migrate.upgrade(database.engine)
        assert _tables(database) >= BOOK_TABLES
        assert migrate.current_revision(database.engine) == migrate.head_revision()

        migrate.downgrade(database.engine, "base")
        assert _tables(database) == set()
        assert migrate.current_revision(database.engine) is None

        migrate.upgrade(database.engine)
        assert _tables(database) >= BOOK_TABLES
    finally:
        database.dispose()


def test_schema_from_migrations_matches_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        # procrastinate's queue tables (PostgreSQL) are not book models: see db/job_queue.py.
        # Constraints modelled for one backend only are compared on that backend only.
        opts = {
            "compare_type": True,
            "include_name": job_queue.include_name,
            "include_object": include_object_for(connection.dialect.name),
        }
        context = MigrationContext.configure(connection, opts=opts)
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_open_database_migrates_a_new_sqlite_file_in_a_new_directory(tmp_path: Path) -> None:
    data_dir = tmp_path / "nested" / "data"
    database = open_database(Settings(data_dir=data_dir))
    try:
        assert (data_dir / "chargebook.sqlite3").is_file()
        assert _tables(database) >= BOOK_TABLES
    finally:
        database.dispose()


def test_open_database_is_idempotent_on_sqlite(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    open_database(settings).dispose()
    database = open_database(settings)
    assert migrate.current_revision(database.engine) == migrate.head_revision()
    database.dispose()


def test_the_model_comparison_does_see_a_difference(database: Database) -> None:
    changed = MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["chargers"].append_column(Column("colour", String(20)))
    with database.engine.connect() as connection:
        opts = {
            "compare_type": True,
            "include_name": job_queue.include_name,
            "include_object": include_object_for(connection.dialect.name),
        }
        context = MigrationContext.configure(connection, opts=opts)
        differences = compare_metadata(context, changed)
    assert [diff[0] for diff in differences] == ["add_column"]


def test_sqlite_connections_use_wal_foreign_keys_and_wait_for_locks(tmp_path: Path) -> None:
    database = open_database(Settings(data_dir=tmp_path))
    with database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 10_000
    database.dispose()


@pytest.mark.postgres
def test_postgres_is_not_migrated_implicitly(postgres_scratch: PostgresScratch) -> None:
    settings = Settings(database_url=postgres_scratch.new_schema_url())
    with pytest.raises(SchemaOutdatedError, match="chargebook db upgrade"):
        open_database(settings)
    database = open_database(settings, upgrade=True)
    database.dispose()
    open_database(settings).dispose()  # current now: opens without upgrading


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u:p@db/book", "postgresql+psycopg://u:p@db/book"),
        ("postgres://u:p@db/book", "postgresql+psycopg://u:p@db/book"),
        ("postgresql+psycopg://u@db/book", "postgresql+psycopg://u@db/book"),
        ("sqlite:////var/lib/book.sqlite3", "sqlite:////var/lib/book.sqlite3"),
    ],
)
def test_database_urls_are_normalised_to_psycopg(url: str, expected: str) -> None:
    assert normalize_database_url(url) == expected


@pytest.mark.parametrize("url", ["mysql://u:p@db/book", "not a url"])
def test_unsupported_database_urls_are_configuration_errors(url: str) -> None:
    with pytest.raises(ConfigurationError):
        normalize_database_url(url)
