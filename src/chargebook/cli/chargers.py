"""`chargebook chargers list|transfer`: the operator's view of who owns which charger, and the
one way a charger changes owner (a house sale), audited.

Like every command that opens the book directly, these are the operator's: whoever runs them
holds the book's database and secret key. Exit codes as in `cli/errors.py` (1: no such
charger or user, or a refused transfer).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from chargebook.book.service import BookService
from chargebook.cli import params
from chargebook.cli.console import plain_console
from chargebook.cli.errors import handle_errors
from chargebook.cli.refs import resolve_charger
from chargebook.clock import SystemClock, in_zone
from chargebook.db import UserRepository, open_database
from chargebook.db.book.transfers import transfer_charger
from chargebook.domain.display import DATE_TIME
from chargebook.domain.models import ChargerSource
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
    # "id" is what every command takes; "source id" what the Wallbox app or the charger calls
    # it. Ids and times stay whole at 80 columns; names and e-mails fold.
    table = Table(title="Chargers", caption="times: Europe/Amsterdam", caption_justify="left")
    table.add_column("id", no_wrap=True, justify="right")
    table.add_column("source", no_wrap=True)
    table.add_column("source id", overflow="fold", min_width=7)
    table.add_column("name", overflow="fold")
    table.add_column("owner", overflow="fold", min_width=10)
    table.add_column("owner until", overflow="fold")
    for stored in chargers:
        owner = emails.get(stored.owner_user_id, "-") if stored.owner_user_id else "nobody"
        until = ""
        if stored.owner_until is not None:
            local = in_zone(stored.owner_until, ZoneInfo("Europe/Amsterdam"))
            until = local.strftime(DATE_TIME) if local else stored.owner_until.isoformat()
        table.add_row(
            str(stored.id),
            "wallbox" if stored.charger.source is ChargerSource.WALLBOX_CLOUD else "ocpp",
            stored.charger.external_id,
            stored.charger.name,
            owner,
            until,
        )
    plain_console().print(table)


@chargers_app.command("transfer")
@handle_errors
def transfer(
    charger: str = typer.Argument(
        ...,
        callback=params.reference,
        help="The charger's id (`chargebook chargers list`), or its id at the source.",
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
            charger_id = resolve_charger(session, charger).id
            done = transfer_charger(
                session, SystemClock(), charger_id=charger_id, to_email=to, actor="cli"
            )
    finally:
        database.dispose()
    typer.echo(
        f"charger {done.earlier_charger_id} belongs to {to.strip().lower()} from "
        f"{done.at.isoformat(timespec='seconds')} on, as charger {done.charger_id}; "
        f"the earlier owner keeps the sessions before that"
    )
