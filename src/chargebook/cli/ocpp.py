"""`chargebook ocpp ...`: run the local OCPP central system (1.6J and 2.0.1), manage its
chargers."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from chargebook.cli.console import plain_console
from chargebook.cli.errors import handle_errors
from chargebook.cli.ocpp_security import (
    certificates_command,
    renew_certificate_command,
    security_command,
)
from chargebook.cli.ocpp_upstream import upstream_app
from chargebook.clock import SystemClock
from chargebook.db import Database, UserRepository, open_database
from chargebook.db.ocpp.chargers import OcppChargerRepository
from chargebook.domain.charge_point_id import charge_point_id_problem
from chargebook.errors import NotFoundError
from chargebook.settings import Settings, load_settings

if TYPE_CHECKING:
    from chargebook.central_system.warm_restart import WarmRestart

ocpp_app = typer.Typer(
    name="ocpp",
    help="The local OCPP central system (1.6J and 2.0.1) and its chargers.",
    no_args_is_help=True,
)
ocpp_app.add_typer(upstream_app)
ocpp_app.command("security")(security_command)
ocpp_app.command("certificates")(certificates_command)
ocpp_app.command("renew-certificate")(renew_certificate_command)


def _database() -> Database:
    return open_database(load_settings())


@ocpp_app.command("serve")
@handle_errors
def serve(
    host: str | None = typer.Option(None, "--host", help="Address to bind (default: settings)."),
    port: int | None = typer.Option(None, "--port", help="TCP port (default 8887)."),
) -> None:
    """Serve ws:// (or wss://, security profiles 2 and 3) HOST:PORT/<charge point id>
    (OCPP 1.6J or 2.0.1) until Ctrl-C. Binds to loopback unless CHARGEBOOK_OCPP_HOST or
    --host says otherwise."""
    from chargebook.central_system import run_central_system
    from chargebook.central_system.csr_signing import CsrSigner
    from chargebook.central_system.tls import PROFILE_NOTICE, TransportSecurity, listening_notice

    settings = load_settings()
    security = TransportSecurity.from_settings(settings)  # a bad TLS setup stops here, named
    CsrSigner.from_settings(settings)  # so does a bad CSR-signing CA
    database = open_database(settings)
    bind_host = host or settings.ocpp_host
    bind_port = port if port is not None else settings.ocpp_port

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(signum, stop.set)
        typer.echo(listening_notice(bind_host, bind_port, security))
        typer.echo(PROFILE_NOTICE)
        await run_central_system(
            settings,
            database,
            host=bind_host,
            port=bind_port,
            stop_event=stop,
            warm_restart=_warm_restart(settings, database),
        )

    try:
        asyncio.run(main())
    finally:
        database.dispose()


def _warm_restart(settings: Settings, database: Database) -> WarmRestart | None:
    if not settings.ocpp_warm_restart:
        return None
    from chargebook.book_keys import open_secret_box
    from chargebook.central_system.warm_restart import SNAPSHOT_NAME, WarmRestart

    return WarmRestart(settings.data_dir / SNAPSHOT_NAME, open_secret_box(settings, database))


def _charge_point_id(value: str) -> str:
    # The rule every door applies (web form, central system); a bad id is a usage error (2).
    problem = charge_point_id_problem(value)
    if problem is not None:
        raise typer.BadParameter(problem)
    return value


@ocpp_app.command("add")
@handle_errors
def add(
    charge_point_id: str = typer.Argument(
        ..., help="The charge point id (last URL segment).", callback=_charge_point_id
    ),
    allow_empty_password: bool = typer.Option(
        False, "--allow-empty-password", help="For chargers that can only send no password."
    ),
    owner: str | None = typer.Option(None, "--owner", help="E-mail of the owning user."),
) -> None:
    """Register a charger and print its generated Basic-auth secret ONCE."""
    from chargebook.ocpp_registration import OPEN_ACCESS_RISK, ocpp_address, register_ocpp_charger

    settings = load_settings()
    database = open_database(settings)
    try:
        with database.session() as session:
            owner_id = _owner_id(session, owner) if owner else None
        registration = register_ocpp_charger(
            database,
            SystemClock(),
            charge_point_id,
            owner_user_id=owner_id,
            allow_empty_password=allow_empty_password,
        )
    finally:
        database.dispose()
    typer.echo(f"registered {registration.charge_point_id}")
    # The address the connect page shows (one function decides it for every door).
    address = ocpp_address(settings, None)
    typer.echo(f"address:  {address.for_charge_point(registration.charge_point_id)}")
    if not address.configured:
        typer.echo(
            "  (this computer's own name: set CHARGEBOOK_OCPP_PUBLIC_URL to the address "
            "chargers on your network dial, e.g. ws://192.168.1.20:"
            f"{settings.ocpp_port}/; see docs/household.md)"
        )
    typer.echo(f"username: {registration.charge_point_id}")
    # Printed once on purpose: the book keeps only its hash.
    typer.echo(f"password: {registration.secret}")
    if registration.allow_empty_password:
        typer.echo("an empty password is also accepted for this charger")
        typer.echo(f"only on a trusted home network: {OPEN_ACCESS_RISK}")


@ocpp_app.command("claim")
@handle_errors
def claim(
    charge_point_id: str = typer.Argument(
        ..., help="The charge point id.", callback=_charge_point_id
    ),
    owner: str = typer.Option(..., "--owner", help="E-mail of the user who owns it."),
) -> None:
    """Give an unclaimed charger (registered by "accept unknown") its owner and a new secret.

    The password it connected with is no longer accepted (anyone could have chosen it): the
    new one is printed ONCE, to be set in the charger.
    """
    from chargebook.central_system.claiming import claim_charge_point

    database = _database()
    try:
        with database.session() as session:
            owner_id = _owner_id(session, owner)
        result = claim_charge_point(database, SystemClock(), charge_point_id, owner_id)
    finally:
        database.dispose()
    if result.secret is None:
        typer.echo(f"{charge_point_id} already belongs to {owner}; its password is unchanged")
        return
    typer.echo(f"{charge_point_id} now belongs to {owner}")
    typer.echo(f"username: {charge_point_id}")
    typer.echo(f"password: {result.secret}")
    typer.echo("set this password in the charger: the one it used before is no longer accepted")


@ocpp_app.command("list")
@handle_errors
def list_chargers() -> None:
    """List OCPP chargers with their owner, password mode and upstream (never a secret)."""
    from chargebook.central_system.mirror import upstreams

    database = _database()
    try:
        with database.session() as session:
            chargers = OcppChargerRepository(session, SystemClock()).list()
            users = {user.id: user.email for user in UserRepository(session, SystemClock()).list()}
        mirrored = upstreams(database, SystemClock())
    finally:
        database.dispose()
    table = Table(title="OCPP chargers")
    for column in ("id", "owner", "password", "upstream"):
        table.add_column(column)
    for charger in chargers:
        mode = "secret" if charger.secret_hash else "none"
        if charger.allow_empty_password:
            mode += " / empty allowed"
        owner = users.get(charger.owner_user_id, "-") if charger.owner_user_id else "unclaimed"
        upstream = mirrored.get(charger.charge_point_id)
        mirror = f"{upstream.url} ({upstream.mode.value})" if upstream else "-"
        table.add_row(charger.charge_point_id, owner, mode, mirror)
    plain_console().print(table)


def _owner_id(session: object, email: str) -> int:
    user = UserRepository(session, SystemClock()).get_by_email(email)  # type: ignore[arg-type]
    if user is None:
        raise NotFoundError(f"no user with e-mail {email}")
    return user.id
