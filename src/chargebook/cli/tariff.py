"""`chargebook tariff show|set`: an owner's own tariff (fixed, dynamic or day/night).

The values are read by the same parser as the web form and the API
(`tariffs.service.parse_tariff`); a refused value ends with its message and exit code 2
(wrong usage), an unknown owner with exit code 1. Without `--owner`, `show` prints the
default tariff (CHARGEBOOK_TARIFF_*, what the CLI's own price tables and plans use) and `set`
takes the book's only user (a household); with several users it asks for `--owner`.
"""

from __future__ import annotations

import typer
from rich.table import Table

from chargebook.cli.console import plain_console
from chargebook.cli.errors import cli_errors
from chargebook.clock import SystemClock
from chargebook.db import SqlSession, UserRepository, open_database
from chargebook.domain.tariffs import TARIFF_ZONE as _ZONE
from chargebook.domain.users import User
from chargebook.errors import NotFoundError
from chargebook.settings import load_settings
from chargebook.tariffs.service import (
    TariffInputError,
    owner_schedule,
    parse_day,
    parse_tariff,
    set_owner_tariff,
)

tariff_app = typer.Typer(help="Your own tariff: what a kWh costs you.", no_args_is_help=True)

_OWNER = typer.Option(None, "--owner", help="E-mail of the owner (default: the only user).")


def _owner(session: SqlSession, email: str | None, *, required: bool) -> User | None:
    users = UserRepository(session, SystemClock())
    if email is not None:
        user = users.get_by_email(email)
        if user is None:
            raise NotFoundError(f"no user with e-mail {email.strip().lower()}")
        return user
    if not required:
        return None
    everyone = users.list()
    if len(everyone) == 1:
        return everyone[0]
    if not everyone:
        raise NotFoundError("no users yet: add one with `chargebook users add --email ...`")
    emails = ", ".join(u.email for u in everyone)
    raise NotFoundError(f"name the owner with --owner EMAIL (users: {emails})")


@tariff_app.command("show")
def show(owner: str | None = _OWNER) -> None:
    """The tariff in force now and the owner's earlier tariffs (without --owner: the default)."""
    with cli_errors():
        database = open_database(load_settings())
        try:
            with database.session() as session:
                user = _owner(session, owner, required=False)
                schedule = owner_schedule(session, load_settings(), user.id if user else None)
        finally:
            database.dispose()
    console = plain_console()
    current = schedule.tariff_at(SystemClock().now())
    who = user.email if user else "the default (CHARGEBOOK_TARIFF_*)"
    # Plain lines, never wrapped: a description is copied into scripts and notes.
    typer.echo(f"tariff of {who}: {current.describe()}")
    if user is not None and not schedule.own:
        typer.echo(
            "(the default: no tariff of their own yet; set one with `chargebook tariff set`)"
        )
    if schedule.periods:
        table = Table("from", "tariff")
        for period in schedule.periods:
            table.add_row(
                f"{period.valid_from.astimezone(_ZONE):%Y-%m-%d}", period.tariff.describe()
            )
        console.print(table)


@tariff_app.command("set")
def set_tariff(
    kind: str = typer.Option(..., "--kind", help="fixed, dynamic or day_night."),
    price: str | None = typer.Option(None, "--price", help="fixed: EUR/kWh incl. VAT, e.g. 0.28."),
    surcharge: str | None = typer.Option(None, "--surcharge", help="dynamic: EUR/kWh excl. VAT."),
    energy_tax: str | None = typer.Option(None, "--energy-tax", help="dynamic: EUR/kWh excl. VAT."),
    vat: str | None = typer.Option(None, "--vat", help="dynamic: VAT in %, e.g. 21."),
    normal: str | None = typer.Option(None, "--normal", help="day_night: EUR/kWh incl. VAT."),
    low: str | None = typer.Option(None, "--low", help="day_night: low EUR/kWh incl. VAT."),
    low_from: str | None = typer.Option(None, "--low-from", help="day_night: HH:MM (23:00)."),
    low_until: str | None = typer.Option(None, "--low-until", help="day_night: HH:MM (07:00)."),
    weekends: bool = typer.Option(True, "--weekends-low/--weekends-normal"),
    holidays: bool = typer.Option(True, "--holidays-low/--holidays-normal"),
    valid_from: str | None = typer.Option(
        None, "--from", help="First day it applies, YYYY-MM-DD (default: today)."
    ),
    owner: str | None = _OWNER,
) -> None:
    """Set an owner's tariff from a day on; earlier days keep the tariff they had."""
    values = {
        "kind": kind, "price": price, "surcharge": surcharge, "energy_tax": energy_tax,
        "vat_pct": vat, "normal": normal, "low": low, "low_from": low_from,
        "low_until": low_until, "low_weekends": str(weekends), "low_holidays": str(holidays),
    }  # fmt: skip
    try:
        tariff = parse_tariff(values)
        day = parse_day(valid_from)
    except TariffInputError as exc:
        option = _OPTIONS.get(exc.field or "", "")
        raise typer.BadParameter(exc.message, param_hint=option or None) from None
    with cli_errors():
        database = open_database(load_settings())
        try:
            with database.transaction() as session:
                user = _owner(session, owner, required=True)
                assert user is not None
                period = set_owner_tariff(session, SystemClock(), user.id, tariff, day)
        finally:
            database.dispose()
    start = period.valid_from.astimezone(_ZONE)
    typer.echo(f"tariff of {user.email} from {start:%Y-%m-%d}: {tariff.describe()}")


_OPTIONS = {
    "kind": "--kind", "price": "--price", "surcharge": "--surcharge",
    "energy_tax": "--energy-tax", "vat_pct": "--vat", "normal": "--normal", "low": "--low",
    "low_from": "--low-from", "low_until": "--low-until", "valid_from": "--from",
}  # fmt: skip
