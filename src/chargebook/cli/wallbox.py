"""`chargebook wallbox ...`: the owner's commands for a Wallbox charger through the cloud.

Credentials come from `--email/--password`, from CHARGEBOOK_WALLBOX_EMAIL and
CHARGEBOOK_WALLBOX_PASSWORD, or from a prompt (the password hidden). `login` signs in once and
keeps the tokens encrypted in the data directory, so later commands do not sign in again.
The charger id may be left out when the account has exactly one charger. Pause, resume, lock,
unlock, current, restart and the energy price go through the `ChargerControl` port
(`wallbox.control.WallboxControl`), like the web controls and smart charging.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from time import monotonic
from typing import TypeVar

import typer

from chargebook.cli import params
from chargebook.cli.console import plain_console
from chargebook.cli.errors import handle_errors
from chargebook.cli.wallbox_chargers import connect_to_book, on_charger, unreachable
from chargebook.cli.wallbox_render import (
    LOCAL_ZONE,
    chargers_table,
    sessions_table,
    status_table,
    write_sessions_csv,
)
from chargebook.clock import SystemClock
from chargebook.domain.models import EcoSmartMode, SessionRecord
from chargebook.domain.ports import ChargerControl
from chargebook.errors import ConfigurationError
from chargebook.private_files import private_dir
from chargebook.settings import Settings, load_settings
from chargebook.wallbox import EncryptedFileTokenStore, WallboxClient
from chargebook.wallbox.control import WallboxControl
from chargebook.wallbox.exceptions import WallboxConnectionError

T = TypeVar("T")
ACCOUNT_FILE = "wallbox-account"

wallbox_app = typer.Typer(help="Read and control a Wallbox charger through the Wallbox Cloud.")
console = plain_console()

ChargerArg = typer.Argument(
    None,
    help="Wallbox charger id (`wallbox chargers`) or the book's; optional with one charger.",
)
YesOption = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation.")
FromOption = typer.Option(
    None,
    "--from",
    formats=["%Y-%m-%d"],
    callback=params.day,
    help="First local day (default: 30 days ago).",
)
ToOption = typer.Option(
    None,
    "--to",
    formats=["%Y-%m-%d"],
    callback=params.day,
    help="Last local day, inclusive (default: today).",
)


@dataclass
class _Credentials:
    email: str | None
    password: str | None


@wallbox_app.callback()
def _options(
    ctx: typer.Context,
    email: str | None = typer.Option(None, "--email", help="myWallbox account e-mail."),
    password: str | None = typer.Option(
        None, "--password", help="myWallbox password (prefer the prompt or the environment)."
    ),
) -> None:
    """Read and control a Wallbox charger through the Wallbox Cloud."""
    ctx.obj = _Credentials(email, password)


def _remembered_email(settings: Settings) -> str | None:
    path = settings.data_dir / ACCOUNT_FILE
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def _remember_email(settings: Settings, email: str) -> None:
    path: Path = settings.data_dir / ACCOUNT_FILE
    try:
        private_dir(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(email + "\n")
    except OSError as exc:
        raise ConfigurationError(f"cannot write {path}: {exc.strerror}") from exc


def _client(
    ctx: typer.Context, *, login: bool = False
) -> tuple[WallboxClient, Settings, str | None]:
    settings = load_settings()
    given: _Credentials = ctx.obj or _Credentials(None, None)
    email = given.email or settings.wallbox_email or _remembered_email(settings)
    if not email:
        email = typer.prompt("myWallbox e-mail")
    store = EncryptedFileTokenStore.from_settings(settings)
    password = given.password
    if password is None and settings.wallbox_password is not None:
        password = settings.wallbox_password.get_secret_value()
    if password is None and (login or store.load(email) is None):
        password = typer.prompt("myWallbox password", hide_input=True)
    client = WallboxClient.from_settings(
        settings, email=email, password=password, clock=SystemClock(), token_store=store
    )
    return client, settings, password


def _run(ctx: typer.Context, action: Callable[[WallboxClient], Awaitable[T]]) -> T:
    client, settings, _ = _client(ctx)

    async def main() -> T:
        async with client:
            return await action(client)

    return _talking(settings, lambda: asyncio.run(main()))


def _talking(settings: Settings, call: Callable[[], T]) -> T:
    """Run `call` with a spinner on a terminal (never a silent wait on a dead network), and
    an unreachable cloud as one message naming the URL, the tries and the timeout."""
    started = monotonic()
    try:
        with plain_console(stderr=True).status("Talking to the Wallbox Cloud…"):
            return call()
    except WallboxConnectionError as exc:
        if exc.url is None:  # a 5xx: the cloud answered; its own message says so
            raise
        again = WallboxConnectionError(
            unreachable(exc, started, settings.wallbox_timeout_s),
            url=exc.url,
            signing_in=exc.signing_in,
            request_sent=exc.request_sent,
        )
        raise again from None


@wallbox_app.command()
@handle_errors
def login(ctx: typer.Context) -> None:
    """Sign in, verify the credentials and keep the tokens (encrypted) for later commands;
    the account is connected to the book as well, so `chargebook sync` needs no second login."""
    client, settings, password = _client(ctx, login=True)

    async def main() -> int:
        async with client:
            client.forget_tokens()  # a login always proves the password afresh
            await client.authenticate()
            return len(await client.list_chargers())

    count = _talking(settings, lambda: asyncio.run(main()))
    _remember_email(settings, client.email)
    console.print(f"Signed in as {client.email}; {count} charger(s). Tokens stored encrypted.")
    if password is not None:
        note = _talking(settings, lambda: connect_to_book(settings, client.email, password))
        console.print(note, markup=False, highlight=False, soft_wrap=True)


@wallbox_app.command()
@handle_errors
def chargers(ctx: typer.Context) -> None:
    """List the account's chargers."""
    console.print(chargers_table(_run(ctx, lambda c: c.list_chargers())))


@wallbox_app.command()
@handle_errors
def status(ctx: typer.Context, charger_id: str | None = ChargerArg) -> None:
    """Live status: state, power, energy, limits, lock, firmware, MID, Eco-Smart, price.

    Without a charger id: every charger of the account, one table each."""

    async def action(client: WallboxClient) -> None:
        if charger_id is None:
            for charger in await client.list_chargers():
                console.print(status_table(await client.get_status(charger.external_id)))
            return
        _, found = await on_charger(client, charger_id, client.get_status)
        console.print(status_table(found))

    _run(ctx, action)


def _command(
    ctx: typer.Context,
    charger_id: str | None,
    act: Callable[[WallboxClient, str], Awaitable[object]],
    done: str,
) -> None:
    async def action(client: WallboxClient) -> None:
        cid, _ = await on_charger(client, charger_id, lambda cid: act(client, cid))
        console.print(done.format(id=cid))

    _run(ctx, action)


def _control(
    ctx: typer.Context,
    charger_id: str | None,
    act: Callable[[ChargerControl, str], Awaitable[None]],
    done: str,
) -> None:
    """Send one command through the port."""
    _command(ctx, charger_id, lambda client, cid: act(WallboxControl(client), cid), done)


@wallbox_app.command()
@handle_errors
def lock(ctx: typer.Context, charger_id: str | None = ChargerArg) -> None:
    """Lock the charger."""
    _control(ctx, charger_id, lambda c, i: c.set_locked(i, True), "Charger {id} locked.")


@wallbox_app.command()
@handle_errors
def unlock(ctx: typer.Context, charger_id: str | None = ChargerArg) -> None:
    """Unlock the charger."""
    _control(ctx, charger_id, lambda c, i: c.set_locked(i, False), "Charger {id} unlocked.")


@wallbox_app.command()
@handle_errors
def pause(ctx: typer.Context, charger_id: str | None = ChargerArg) -> None:
    """Pause charging (only has an effect while charging)."""
    _control(ctx, charger_id, lambda c, i: c.set_charging(i, False), "Pause sent to charger {id}.")


@wallbox_app.command()
@handle_errors
def resume(ctx: typer.Context, charger_id: str | None = ChargerArg) -> None:
    """Resume charging after a pause."""
    _control(ctx, charger_id, lambda c, i: c.set_charging(i, True), "Resume sent to charger {id}.")


@wallbox_app.command()
@handle_errors
def current(
    ctx: typer.Context,
    amps: int = typer.Argument(..., min=6, max=80, help="Maximum charging current in A."),
    charger_id: str | None = ChargerArg,
) -> None:
    """Set the maximum charging current in A."""

    async def action(client: WallboxClient) -> None:
        cid, summary = await on_charger(
            client, charger_id, lambda cid: client.update_charger(cid, max_current_a=amps)
        )
        # The cloud clamps a current above the charger's maximum: say what it really has.
        shown = summary.max_charging_current_a
        if shown is not None and shown != amps:
            console.print(
                f"Charger {cid}: maximum current {shown} A (asked {amps} A; the most it can give)."
            )
        else:
            console.print(f"Charger {cid}: maximum current {amps} A.")

    _run(ctx, action)


@wallbox_app.command()
@handle_errors
def restart(ctx: typer.Context, charger_id: str | None = ChargerArg, yes: bool = YesOption) -> None:
    """Reboot the charger (offline for about 90 s)."""
    if not yes:
        typer.confirm("Restart the charger? It goes offline for about 90 s", abort=True)
    _control(ctx, charger_id, lambda c, i: c.restart(i), "Restart sent to charger {id}.")


@wallbox_app.command("update-firmware")
@handle_errors
def update_firmware(
    ctx: typer.Context, charger_id: str | None = ChargerArg, yes: bool = YesOption
) -> None:
    """Install the available firmware update."""
    if not yes:
        typer.confirm("Install the firmware update now? Do not unplug the charger", abort=True)
    _command(ctx, charger_id, lambda c, i: c.update_firmware(i), "Update started on {id}.")


@wallbox_app.command("energy-cost")
@handle_errors
def energy_cost(
    ctx: typer.Context,
    price: str = typer.Argument(..., help="Price per kWh in the account's currency, e.g. 0.27."),
    charger_id: str | None = ChargerArg,
) -> None:
    """Set the energy price per kWh used for session costs."""
    try:
        amount = Decimal(price)
    except ArithmeticError:
        raise typer.BadParameter(f"{price!r} is not a number") from None
    if not amount.is_finite() or amount < 0:
        raise typer.BadParameter("the price must be a number >= 0")
    done = f"Charger {{id}}: energy price {amount}/kWh."
    _control(ctx, charger_id, lambda c, i: c.set_energy_price(i, amount), done)


@wallbox_app.command("eco-smart")
@handle_errors
def eco_smart(
    ctx: typer.Context,
    mode: str = typer.Argument(..., help="off, eco or full-solar."),
    charger_id: str | None = ChargerArg,
) -> None:
    """Switch Eco-Smart off, to eco (solar plus grid) or to full solar."""
    modes = {
        "off": EcoSmartMode.OFF,
        "eco": EcoSmartMode.ECO,
        "full-solar": EcoSmartMode.FULL_SOLAR,
    }
    if mode not in modes:
        raise typer.BadParameter("MODE must be off, eco or full-solar")
    done = f"Charger {{id}}: Eco-Smart {mode}."
    _command(ctx, charger_id, lambda c, i: c.set_eco_smart(i, modes[mode]), done)


@wallbox_app.command()
@handle_errors
def sessions(
    ctx: typer.Context,
    charger_id: str | None = ChargerArg,
    from_date: datetime | None = FromOption,
    to_date: datetime | None = ToOption,
    as_csv: bool = typer.Option(False, "--csv", help="Write CSV to stdout instead of a table."),
) -> None:
    """Charging sessions that started between --from and --to (local days, Europe/Amsterdam)."""
    today = SystemClock().now().astimezone(LOCAL_ZONE).date()
    last = to_date.date() if to_date else today
    first = from_date.date() if from_date else last - timedelta(days=30)
    if first > last:
        raise typer.BadParameter("--from is after --to")
    start = datetime.combine(first, time(), LOCAL_ZONE)
    end = datetime.combine(last + timedelta(days=1), time(), LOCAL_ZONE)

    async def action(client: WallboxClient) -> list[SessionRecord]:
        async def read(cid: str) -> list[SessionRecord]:
            # One query over the whole span, one read per 1,000 sessions.
            return [record async for record in client.iter_sessions(cid, start=start, end=end)]

        _, records = await on_charger(client, charger_id, read)
        return records

    records = _run(ctx, action)
    if as_csv:
        write_sessions_csv(records, sys.stdout)
    else:
        console.print(sessions_table(records))
