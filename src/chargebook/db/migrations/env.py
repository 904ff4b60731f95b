"""Alembic environment for the book.

Run from code (`chargebook.db.core.migrate`), Alembic gets an open connection in
`config.attributes["connection"]`. Run by a developer (`alembic upgrade head` at the repository
root, see alembic.ini), it connects to `sqlalchemy.url` or else the configured database.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from chargebook.db.core.dialect_ddl import include_object_for
from chargebook.db.core.engine import create_book_engine, normalize_database_url
from chargebook.db.core.job_queue import include_name
from chargebook.db.schema import metadata
from chargebook.settings import load_settings

config = context.config
target_metadata = metadata


def _database_url() -> str:
    return normalize_database_url(
        config.get_main_option("sqlalchemy.url") or load_settings().effective_database_url
    )


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite DDL is transactional too; one transaction makes a failed upgrade leave nothing.
        transactional_ddl=True,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        # procrastinate's queue (PostgreSQL) is installed by 0006, not modelled in any tables.py.
        include_name=include_name,
        # Constraints modelled for one backend only (`chargebook.db.core.dialect_ddl`).
        include_object=include_object_for(connection.dialect.name),
    )


def run_migrations_offline() -> None:
    """Print the SQL instead of running it (`alembic upgrade head --sql`)."""
    context.configure(
        url=_database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_book_engine(_database_url())
    try:
        with engine.connect() as own_connection:
            _configure(own_connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
