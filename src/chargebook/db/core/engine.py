"""Engines for the book: a SQLite file (WAL, foreign keys, waiting on locks) or PostgreSQL.

SQLite's Python driver opens transactions on its own terms, which breaks SAVEPOINTs and
transactional DDL; so the driver is put in autocommit and SQLAlchemy's "begin" event emits BEGIN
itself, IMMEDIATE for writers, so concurrent processes queue on the write lock (busy_timeout)
instead of failing with "database is locked" when a read transaction upgrades to a write.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url

from chargebook.errors import ConfigurationError
from chargebook.private_files import PRIVATE_DIR_MODE, private_file, tighten

# Execution option read by the SQLite "begin" listener: "DEFERRED" (default) or "IMMEDIATE".
SQLITE_BEGIN_OPTION = "chargebook_sqlite_begin"
# How long a SQLite connection waits for another process's lock before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000
# WAL pages after which a commit checkpoints the log into the database file.
SQLITE_WAL_CHECKPOINT_PAGES = 8000


def normalize_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs (`postgresql://`, `postgres://`); others unchanged.

    Raises:
        ConfigurationError: the URL is malformed or names a database chargebook cannot use.
    """
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix) :]
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy.exc.ArgumentError; the URL may hold a password
        raise ConfigurationError("the database URL is malformed") from exc
    if parsed.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        raise ConfigurationError(
            f"unsupported database {parsed.drivername!r}: use sqlite:/// or postgresql://"
        )
    return url


class _HideRows(logging.Filter):
    """Blank the rows SQLAlchemy logs at DEBUG: they hold password hashes and encrypted
    credentials. Statements still log; their parameters are hidden by `hide_parameters`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith(("Row ", "Row:")):
            record.msg, record.args = "Row (values hidden)", ()
        return True


def _hide_rows_in_logs() -> None:
    logger = logging.getLogger("sqlalchemy.engine.Engine")
    if not any(isinstance(f, _HideRows) for f in logger.filters):
        logger.addFilter(_HideRows())


def create_book_engine(url: str) -> Engine:
    """An engine for a normalised URL; SQLite files get their directory created.

    Raises:
        ConfigurationError: the URL is unsupported, or the SQLite directory cannot be created.
    """
    parsed = make_url(normalize_database_url(url))
    # Secrets never reach a log or an error message: with the root logger at DEBUG, SQLAlchemy
    # would log every bound parameter (argon2 hashes, Fernet ciphertext) and every row read.
    _hide_rows_in_logs()
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    return create_engine(parsed, pool_pre_ping=True, hide_parameters=True)


def _sqlite_engine(url: URL) -> Engine:
    in_memory = url.database in (None, "", ":memory:")
    if not in_memory and url.database is not None:
        book = Path(url.database).expanduser()
        try:
            # A new folder is private; an existing one is the user's choice (maybe shared).
            book.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
            # The book holds password hashes and personal data: 0600 before SQLite opens it,
            # and SQLite gives its -wal and -shm files the database file's mode.
            private_file(book)
            for companion in ("-wal", "-shm", "-journal"):
                tighten(book.with_name(book.name + companion))
        except OSError as exc:
            raise ConfigurationError(
                f"cannot create the database file {url.database}: {exc.strerror}"
            ) from exc
    engine = create_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, hide_parameters=True
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # autocommit: BEGIN comes from _on_begin
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")  # durable enough in WAL mode, faster
            # 32 MiB page cache (SQLite's default is 2 MiB): a big book's indexes did not fit, and
            # the 200,000-session ingest benchmark went from 10.6k to 12.5k sessions/s.
            cursor.execute("PRAGMA cache_size=-32768")
            # Checkpoint the WAL every 8,000 pages (32 MiB; SQLite's default is 1,000): an index
            # page changed by several commits in between is copied to the database once, not
            # once per commit (bulk inserts into a big book: about a quarter less CPU per
            # commit). Durability is unchanged (WAL, synchronous=NORMAL); the log file is cut
            # back to 64 MiB after a checkpoint.
            cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_WAL_CHECKPOINT_PAGES}")
            cursor.execute("PRAGMA journal_size_limit=67108864")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
        if mode not in ("DEFERRED", "IMMEDIATE"):
            raise ValueError(f"unknown SQLite begin mode {mode!r}")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine
