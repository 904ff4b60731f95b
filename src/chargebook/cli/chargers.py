"""`chargebook chargers list|transfer`: the operator's view of who owns which charger, and the
one way a charger changes owner (a house sale), audited.

Like every command that opens the book directly, these are the operator's: whoever runs them
holds the book's database and secret key. Exit codes as in `cli/errors.py` (1: no such
charger or user, or a refused transfer).
"""

from __future__ import annotations

import typer
from rich.table import Table

from chargebook.book.service import BookService
from chargebook.cli import params
from chargebook.cli.console import plain_console
from chargebook.cli.errors import handle_errors
from chargebook.clock import SystemClock
from chargebook.db import UserRepository, open_database
from chargebook.db.book.transfers import transfer_charger
from chargebook.settings import load_settings

chargers_app = typer.Typer(
    name="chargers", help="Chargers in the book and their owners.", no_args_is_help=True
)


@chargers_app.command("list")
@handle_errors
def list_chargers() -> None:
    """Every charger row with its owner; an earlier owner's row shows when it ended."""
    database = open_database(load_settings())
    try:
        with database.session() as session:
            chargers = BookService(session, None).list_chargers()  # the whole book
            emails = {user.id: user.email for user in UserRepository(session, SystemClock()).list()}
    finally:
        database.dispose()
    table = Table(title="Chargers")
    for name in ("id", "source", "charger id", "name", "owner", "owner until"):
        table.add_column(name)
    for stored in chargers:
        owner = emails.get(stored.owner_user_id, "-") if stored.owner_user_id else "nobody"
        until = stored.owner_until.isoformat(timespec="seconds") if stored.owner_until else ""
        table.add_row(
            str(stored.id),
            stored.charger.source.value,
            stored.charger.external_id,
            stored.charger.name,
            owner,
            until,
        )
    plain_console().print(table)


@chargers_app.command("transfer")
@handle_errors
def transfer(
    charger: int = typer.Argument(
        ..., callback=params.book_id, help="The charger's book id (`chargebook chargers list`)."
    ),
    to: str = typer.Option(..., "--to", help="E-mail of the new owner (a chargebook user)."),
) -> None:
    """Give a charger to a new owner from now on (a house sale); audited.

    The earlier owner keeps the sessions that started before now, and no longer controls
    the charger; the new owner's myWallbox account syncs it from here on.
    """
    database = open_database(load_settings())
    try:
        with database.transaction() as session:
            done = transfer_charger(
                session, SystemClock(), charger_id=charger, to_email=to, actor="cli"
            )
    finally:
        database.dispose()
    typer.echo(
        f"charger {done.earlier_charger_id} belongs to {to.strip().lower()} from "
        f"{done.at.isoformat(timespec='seconds')} on, as charger {done.charger_id}; "
        f"the earlier owner keeps the sessions before that"
    )
