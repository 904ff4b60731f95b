"""The procrastinate job queue's place in the book's PostgreSQL database.

The queue (`chargebook worker`, see `chargebook.jobs.queue`) keeps its tables, types and
functions next to the book's, in the schema first on the connection's search_path. That is
`public` for a plain deployment and the private `cbt_*` schema of a test (the URL carries
`options=-csearch_path=...`, which libpq honours for procrastinate's own connections too),
so parallel test runs never see each other's jobs.

The objects are installed by the Alembic migration `0006_job_queue` (so `chargebook db
upgrade` is the one command that prepares a database) and are not part of the book's models:
`include_name` keeps them out of autogenerate and the model comparison.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, Literal

from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from chargebook.db.core.engine import normalize_database_url

QUEUE_PREFIX = "procrastinate_"

# Alembic's `include_name` signature.
NameType = Literal[
    "schema",
    "table",
    "column",
    "index",
    "unique_constraint",
    "foreign_key_constraint",
    "check_constraint",
]
ParentNames = MutableMapping[
    Literal["schema_name", "table_name", "schema_qualified_table_name"], str | None
]

# Every procrastinate object lives under the prefix; dropping them by catalog lookup (instead
# of a list copied from procrastinate's schema.sql) also removes objects a later procrastinate
# migration adds.
_DROP_QUEUE_OBJECTS = """
DO $$
DECLARE
    item record;
BEGIN
    FOR item IN
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind = 'r'
          AND c.relname LIKE 'procrastinate\\_%'
    LOOP
        EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', item.relname);
    END LOOP;
    FOR item IN
        SELECT p.oid::regprocedure AS signature, p.prokind FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%'
    LOOP
        IF item.prokind = 'p' THEN
            EXECUTE format('DROP PROCEDURE IF EXISTS %s CASCADE', item.signature);
        ELSE
            EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', item.signature);
        END IF;
    END LOOP;
    FOR item IN
        SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate\\_%'
          AND t.typtype IN ('e', 'c')
          AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.reltype = t.oid AND c.relkind <> 'c')
    LOOP
        EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', item.typname);
    END LOOP;
END;
$$;
"""


def queue_conninfo(database_url: str) -> str:
    """The libpq URI procrastinate's psycopg pool connects with (search_path option kept).

    Raises:
        ConfigurationError: the URL is not a supported database URL.
    """
    url = make_url(normalize_database_url(database_url)).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def install_queue_schema(connection: Connection) -> None:
    """Create procrastinate's tables, types and functions in the current schema."""
    from procrastinate.schema import SchemaManager

    _execute_script(connection, SchemaManager.get_schema())


def drop_queue_schema(connection: Connection) -> None:
    """Remove every procrastinate object from the current schema (jobs included)."""
    _execute_script(connection, _DROP_QUEUE_OBJECTS)


def include_name(name: str | None, type_: NameType, parent_names: ParentNames) -> bool:
    """Alembic's `include_name` hook: False for the queue's tables and their indexes, which
    are procrastinate's, not book models."""
    table = name if type_ == "table" else parent_names.get("table_name")
    return not (isinstance(table, str) and table.startswith(QUEUE_PREFIX))


def queue_installed(connection: Connection) -> bool:
    """Whether procrastinate's job table exists in the current schema."""
    found = connection.execute(text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL"))
    return bool(found.scalar())


def _execute_script(connection: Connection, script: str) -> None:
    # A multi-statement script with `%` and `:` inside PL/pgSQL: run it on the driver cursor
    # without parameters (psycopg then sends it as is), inside Alembic's transaction.
    cursor: Any = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(script)
    finally:
        cursor.close()
