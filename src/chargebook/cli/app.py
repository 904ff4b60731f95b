"""Root Typer app: every sub-command is registered here and nowhere else.

Sub-commands are imported only when they run: `chargebook wallbox status` in a cron job
should not pay for matplotlib, FastAPI and the simulator on every start.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

if TYPE_CHECKING:
    # Typer vendors click; its Command/Context types are only reachable here.
    from typer._click.core import Command, Context

from chargebook import __version__
from chargebook.cli.console import plain_console
from chargebook.cli.errors import EXIT_OTHER, cli_errors

# name -> (module, attribute): a Typer sub-app or a command function. Listed in help order.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("chargebook.cli.demo", "demo"),
    "serve": ("chargebook.cli.serve", "serve"),
    "worker": ("chargebook.cli.worker", "worker_app"),
    "wallbox": ("chargebook.cli.wallbox", "wallbox_app"),
    "accounts": ("chargebook.cli.sync", "accounts_app"),
    "sync": ("chargebook.cli.sync", "sync"),
    "sessions": ("chargebook.cli.sessions", "sessions_app"),
    "chart": ("chargebook.cli.chart", "chart"),
    "ere": ("chargebook.cli.ere", "ere_app"),
    "prices": ("chargebook.cli.prices", "prices_app"),
    "plan": ("chargebook.cli.plans", "plan_app"),
    "tariff": ("chargebook.cli.tariff", "tariff_app"),
    "ocpp": ("chargebook.cli.ocpp", "ocpp_app"),
    "chargers": ("chargebook.cli.chargers", "chargers_app"),
    "users": ("chargebook.cli.users", "users_app"),
    "tokens": ("chargebook.cli.users", "tokens_app"),
    "db": ("chargebook.cli.db", "db_app"),
    "simulator": ("chargebook.cli.simulator", "simulator_app"),
}


def load_command(name: str) -> Command:
    """Import and build the command registered as `name`."""
    module, attribute = COMMANDS[name]
    target: Any = getattr(importlib.import_module(module), attribute)
    if isinstance(target, typer.Typer):
        command: Command = typer.main.get_group(target)  # a group even with one command
    else:
        single = typer.Typer()
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


class LazyGroup(TyperGroup):
    """A Typer group whose sub-commands are imported on first use."""

    def list_commands(self, ctx: Context) -> list[str]:
        return [*super().list_commands(ctx), *COMMANDS]

    def invoke(self, ctx: Context) -> Any:
        # The last net under every command: a chargebook error or bad settings that a command
        # did not catch still ends as one line and a documented exit code, not a traceback.
        try:
            with cli_errors():
                return super().invoke(ctx)
        except (typer.Exit, typer.Abort, TyperException, KeyboardInterrupt):
            raise
        except Exception as error:
            # A bug. Its text may hold a database URL with a password: show the type only.
            plain_console(stderr=True).print(
                f"Internal error ({type(error).__name__}); please report it with the command"
                " you ran",
                markup=False,
                highlight=False,
            )
            raise typer.Exit(EXIT_OTHER) from None

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in COMMANDS:
            command = load_command(cmd_name)
        return command


app = typer.Typer(
    name="chargebook",
    cls=LazyGroup,
    help="Turn a home EV charger into money and insight.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


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
