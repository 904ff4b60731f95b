"""`chargebook ocpp upstream ...`: mirror a charger to its existing central system.

The password is read from stdin (`--password-stdin`) or a hidden prompt (`--password-prompt`),
never from the command line, where it would land in the shell history and `ps`.
"""

from __future__ import annotations

import sys

import typer

from chargebook.cli.errors import handle_errors
from chargebook.clock import SystemClock
from chargebook.db import open_database
from chargebook.domain.charge_point_id import charge_point_id_problem
from chargebook.settings import load_settings

upstream_app = typer.Typer(
    name="upstream",
    help="Mirror a charger to its existing central system (owner's app, operator, ERE provider).",
    no_args_is_help=True,
)


def _charge_point_id(value: str) -> str:
    problem = charge_point_id_problem(value)
    if problem is not None:
        raise typer.BadParameter(problem)
    return value


@upstream_app.command("set")
@handle_errors
def set_command(
    charge_point_id: str = typer.Argument(
        ..., help="The charge point id.", callback=_charge_point_id
    ),
    url: str = typer.Option(..., "--url", help="The upstream's ws:// or wss:// base URL."),
    mode: str = typer.Option(
        "upstream-primary", "--mode", help="upstream-primary or chargebook-primary."
    ),
    username: str | None = typer.Option(
        None, "--username", help="Basic-auth user (default: the charge point id)."
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the upstream's Basic-auth password from stdin."
    ),
    password_prompt: bool = typer.Option(
        False, "--password-prompt", help="Ask for the password (hidden)."
    ),
) -> None:
    """Forward CHARGE_POINT_ID's OCPP traffic to the central system at --url."""
    from chargebook.book_keys import open_secret_box
    from chargebook.central_system.mirror import parse_mode, set_upstream

    chosen_mode = parse_mode(mode)
    password: str | None = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif password_prompt:
        password = typer.prompt("Upstream password", hide_input=True)
    settings = load_settings()
    database = open_database(settings)
    try:
        box = open_secret_box(settings, database)
        config = set_upstream(
            database,
            box,
            SystemClock(),
            charge_point_id,
            url=url,
            mode=chosen_mode,
            password=password,
            username=username,
        )
    finally:
        database.dispose()
    auth = "with a password" if config.password_encrypted else "without a password"
    typer.echo(f"{charge_point_id} is mirrored to {config.url} ({config.mode.value}, {auth})")
    typer.echo("it takes effect when the charger next connects (within 10 s of a reconnect)")


@upstream_app.command("clear")
@handle_errors
def clear_command(
    charge_point_id: str = typer.Argument(
        ..., help="The charge point id.", callback=_charge_point_id
    ),
) -> None:
    """Stop mirroring CHARGE_POINT_ID (from its next connection)."""
    from chargebook.central_system.mirror import clear_upstream

    database = open_database(load_settings())
    try:
        cleared = clear_upstream(database, SystemClock(), charge_point_id)
    finally:
        database.dispose()
    typer.echo(
        f"{charge_point_id} is no longer mirrored"
        if cleared
        else f"{charge_point_id} was not mirrored"
    )
