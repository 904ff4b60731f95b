"""`chargebook db upgrade|current`: migrate and inspect the book's database schema."""

from __future__ import annotations

import typer

from chargebook.cli.errors import cli_errors
from chargebook.db import open_database
from chargebook.db.core import migrate
from chargebook.db.core.engine import create_book_engine
from chargebook.settings import load_settings

db_app = typer.Typer(name="db", help="The book's database schema.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade() -> None:
    """Migrate the configured database (CHARGEBOOK_DATABASE_URL or the SQLite file) to the
    newest schema. Safe to run again: a current schema is left alone."""
    with cli_errors():
        database = open_database(load_settings(), upgrade=True)
        try:
            revision = migrate.current_revision(database.engine)
        finally:
            database.dispose()
    typer.echo(f"database schema is at revision {revision}")


@db_app.command("current")
def current() -> None:
    """Print the database's schema revision and the newest one this chargebook knows."""
    with cli_errors():
        engine = create_book_engine(load_settings().effective_database_url)
        try:
            revision = migrate.current_revision(engine)
        finally:
            engine.dispose()
    head = migrate.head_revision()
    typer.echo(f"database: {revision or 'empty'}; newest: {head}")
    if revision != head:
        raise typer.Exit(1)
