"""Alembic migrations run from code: no alembic.ini is needed at run time.

The scripts live in `chargebook/db/migrations/` inside the package. `upgrade` and `downgrade`
run in one transaction; on SQLite it is BEGIN IMMEDIATE, so two processes starting at once
upgrade one after the other and the second finds nothing to do.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from chargebook.db.core.engine import SQLITE_BEGIN_OPTION
from chargebook.db.core.exceptions import DatabaseUnavailableError, SchemaOutdatedError

MIGRATIONS_DIR = Path(__file__).parent.parent / "migrations"
# Alembic keeps its running context in module globals: one migration per process at a time.
_ALEMBIC_LOCK = threading.Lock()


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for the packaged scripts, bound to `connection` if given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision the code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships 0001
        raise SchemaOutdatedError("no migrations are packaged")
    return head


def current_revision(engine: Engine) -> str | None:
    """The database's revision, or None for an empty database.

    Raises:
        DatabaseUnavailableError: the database cannot be reached.
    """
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except OperationalError as exc:
        raise DatabaseUnavailableError(f"cannot reach the database: {_reason(exc)}") from exc


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database up to `revision` (default: the newest).

    Raises:
        DatabaseUnavailableError: the database cannot be reached or stays locked.
    """
    _run(engine, lambda config: command.upgrade(config, revision))


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database down to `revision` ("base" removes every table of the book).

    Raises:
        DatabaseUnavailableError: the database cannot be reached or stays locked.
    """
    _run(engine, lambda config: command.downgrade(config, revision))


def ensure_current(engine: Engine) -> None:
    """Check that the schema is at the code's revision without changing it.

    Raises:
        SchemaOutdatedError: the database is empty, behind or ahead of the code.
        DatabaseUnavailableError: the database cannot be reached.
    """
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise SchemaOutdatedError(
            f"the database schema is at revision {current or 'none (empty)'}, this chargebook "
            f"needs {head}: run `chargebook db upgrade`"
        )


def _run(engine: Engine, action: Callable[[Config], None]) -> None:
    try:
        with _ALEMBIC_LOCK, engine.connect() as connection:
            sqlite = engine.dialect.name == "sqlite"
            if sqlite:
                # Table rebuilds (batch mode) must not trip foreign keys half way.
                _sqlite_pragma(connection, "foreign_keys=OFF")
                connection.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
            try:
                action(alembic_config(connection))
                connection.commit()
            finally:
                if sqlite:
                    connection.rollback()
                    _sqlite_pragma(connection, "foreign_keys=ON")
    except OperationalError as exc:
        raise DatabaseUnavailableError(f"cannot migrate the database: {_reason(exc)}") from exc


def _sqlite_pragma(connection: Connection, pragma: str) -> None:
    # Foreign-key pragmas are ignored inside a transaction, so they go to the driver directly
    # (it is in autocommit; see db.engine) instead of through SQLAlchemy's autobegin.
    driver_connection: Any = connection.connection.driver_connection
    driver_connection.execute(f"PRAGMA {pragma}")


def _reason(exc: OperationalError) -> str:
    # The driver's first line names the problem; the rest may repeat the URL.
    return str(exc.orig).splitlines()[0] if exc.orig is not None else "unknown error"
