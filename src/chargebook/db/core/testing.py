"""Test support: empty, migrated databases in milliseconds, on SQLite and PostgreSQL.

Migrating for every test would dominate the suite, so each backend is migrated once per test
session: SQLite into a template file that each test copies, PostgreSQL into a private schema
(so parallel test runs sharing one server do not meet) whose tables are emptied before each
test. Used by the fixtures in `tests/conftest.py`; not imported by chargebook itself.
"""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from chargebook.db.core import migrate
from chargebook.db.core.database import Database
from chargebook.db.core.engine import create_book_engine, normalize_database_url
from chargebook.domain import Charger, ChargerSource, MidMeter


class SqliteTemplate:
    """A migrated SQLite file that tests copy instead of migrating again."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "template.sqlite3"
        engine = create_book_engine(sqlite_url(self.path))
        try:
            migrate.upgrade(engine)
        finally:
            engine.dispose()  # the last close checkpoints the WAL into the main file

    def clone(self, path: Path) -> Database:
        """A fresh, migrated database at `path`."""
        shutil.copyfile(self.path, path)
        path.chmod(0o600)  # as the book is made: no "tightened" warning in every test's log
        return Database(create_book_engine(sqlite_url(path)))


class PostgresScratch:
    """Private schemas in a PostgreSQL database, dropped again by `close`."""

    def __init__(self, server_url: str) -> None:
        self._server_url = normalize_database_url(server_url)
        self._admin = create_engine(self._server_url, isolation_level="AUTOCOMMIT")
        self._schemas: list[str] = []

    def check_reachable(self) -> None:
        """Connect once.

        Raises:
            sqlalchemy.exc.OperationalError: the server cannot be reached.
        """
        with self._admin.connect() as connection:
            connection.execute(text("SELECT 1"))

    def new_schema_url(self) -> str:
        """The URL of a new, empty schema (set as the search_path of every connection)."""
        name = f"cbt_{secrets.token_hex(6)}"
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{name}"'))
        self._schemas.append(name)
        url = make_url(self._server_url).update_query_dict({"options": f"-csearch_path={name}"})
        return url.render_as_string(hide_password=False)

    def migrated_database(self) -> Database:
        """A database in a new schema, migrated to the newest revision."""
        database = Database(create_book_engine(self.new_schema_url()))
        database.upgrade()
        return database

    def close(self) -> None:
        """Drop every schema made here."""
        with self._admin.connect() as connection:
            for name in self._schemas:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        self._admin.dispose()


def empty_postgres_tables(engine: Engine) -> None:
    """Remove every row from the book's tables (not alembic_version), resetting id sequences.

    The audit log refuses TRUNCATE by trigger; the trigger is switched off inside this one
    transaction only, which the table owner may do.
    """
    with engine.begin() as connection:
        # A test that left a transaction open would make TRUNCATE wait forever: fail instead.
        connection.execute(text("SET LOCAL lock_timeout = '10s'"))
        tables = connection.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename <> 'alembic_version'"
            )
        ).scalars()
        names = ", ".join(f'"{name}"' for name in tables)
        if not names:
            return
        connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        connection.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


def example_charger(external_id: str = "12345", **changes: object) -> Charger:
    """A plausible Wallbox charger for tests; `changes` override single fields."""
    facts: dict[str, object] = {
        "source": ChargerSource.WALLBOX_CLOUD,
        "external_id": external_id,
        "name": f"Garage {external_id}",
        "serial_number": f"SN{external_id}",
        "part_number": "PLP1-0-2-4-9-002-E",
        "model": "Pulsar Plus",
        "firmware_version": "6.6.14",
        "max_current_a": 32,
        "time_zone": "Europe/Amsterdam",
        "mid": MidMeter(enabled=True, serial_number="MID-9", status=1),
    }
    facts.update(changes)
    return Charger(**facts)  # type: ignore[arg-type]
