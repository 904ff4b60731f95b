"""`Database`: an engine plus sessions for the book, opened from settings.

The caller owns the transaction. `transaction()` is the usual unit of work (commit on success,
rollback on error); `session()` hands out a plain session for reads or for callers that commit
themselves (a web request dependency).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeAlias

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from chargebook.db.core import migrate
from chargebook.db.core.engine import SQLITE_BEGIN_OPTION, create_book_engine
from chargebook.db.core.exceptions import DatabaseUnavailableError
from chargebook.private_files import tighten
from chargebook.settings import Settings

# The unit of work a request or a job holds. Code outside `chargebook.db` names it with this
# alias and only hands it to repositories and stores; SQLAlchemy itself stays inside db/.
SqlSession: TypeAlias = Session


@dataclass(eq=False)
class Database:
    """The book's engine and session factories."""

    engine: Engine
    sessions: sessionmaker[Session] = field(init=False)
    _writer_sessions: sessionmaker[Session] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # On SQLite a writer takes the write lock at BEGIN, so it waits (busy_timeout) instead
        # of failing later when its read snapshot turns out to be stale.
        writer = self.engine.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
        self._writer_sessions = sessionmaker(writer, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        """ "sqlite" or "postgresql"."""
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that the caller commits or not; closed (and rolled back) at the end."""
        with self.sessions() as session:
            yield session

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed if the block succeeds, rolled back if it raises.

        Raises:
            DatabaseUnavailableError: the database could not be reached or stayed locked.
        """
        try:
            with self._writer_sessions() as session, session.begin():
                yield session
        except OperationalError as exc:
            raise DatabaseUnavailableError(
                f"the database is unavailable: {str(exc.orig).splitlines()[0]}"
            ) from exc

    def libpq_url(self) -> str:
        """The book's URL for a plain psycopg connection (LISTEN/NOTIFY cannot go through
        the pool); with its password and query (e.g. a test schema's search_path)."""
        return self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)

    def upgrade(self) -> None:
        """Migrate the schema to the newest revision (see `chargebook.db.core.migrate`)."""
        migrate.upgrade(self.engine)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def open_database(settings: Settings, *, upgrade: bool | None = None) -> Database:
    """Open the configured database (`settings.effective_database_url`).

    A SQLite file is created and migrated on the spot. PostgreSQL is shared by many processes
    and is migrated only by `chargebook db upgrade` (or `upgrade=True`); otherwise its schema
    must already be current.

    Raises:
        ConfigurationError: the URL is unsupported or the data directory cannot be created.
        SchemaOutdatedError: PostgreSQL's schema is not at the code's revision.
        DatabaseUnavailableError: the database cannot be reached.
    """
    # The data dir holds the key, the token cache and (by default) the book: others keep out.
    tighten(settings.data_dir)
    database = Database(create_book_engine(settings.effective_database_url))
    try:
        if upgrade if upgrade is not None else database.dialect == "sqlite":
            database.upgrade()
        else:
            migrate.ensure_current(database.engine)
    except BaseException:
        database.dispose()
        raise
    return database
