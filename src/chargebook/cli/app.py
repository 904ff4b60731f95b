"""Root Typer app: sub-commands are registered here and nowhere else."""

from __future__ import annotations

import typer

from chargebook import __version__
from chargebook.cli.chart import chart
from chargebook.cli.db import db_app
from chargebook.cli.demo import demo
from chargebook.cli.ere import ere_app
from chargebook.cli.ocpp import ocpp_app
from chargebook.cli.plans import plan_app
from chargebook.cli.prices import prices_app
from chargebook.cli.serve import serve
from chargebook.cli.simulator import simulator_app
from chargebook.cli.sync import accounts_app, sessions, sync
from chargebook.cli.users import tokens_app, users_app
from chargebook.cli.wallbox import wallbox_app

app = typer.Typer(
    name="chargebook",
    help="Turn a home EV charger into money and insight.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("demo")(demo)
app.add_typer(simulator_app, name="simulator")
app.add_typer(db_app, name="db")
app.add_typer(ocpp_app, name="ocpp")
app.command("chart")(chart)
app.add_typer(accounts_app, name="accounts")
app.command("sync")(sync)
app.command("sessions")(sessions)
app.add_typer(wallbox_app, name="wallbox")
app.add_typer(prices_app, name="prices")
app.add_typer(plan_app, name="plan")
app.command("serve")(serve)
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(ere_app, name="ere")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"chargebook {__version__}")
        raise typer.Exit


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """chargebook: connect a charger, keep the book, earn ERE credits."""


def main() -> None:
    """Console-script entry point."""
    app()
