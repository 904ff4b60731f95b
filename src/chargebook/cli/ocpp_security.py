"""`chargebook ocpp security`, `ocpp certificates`, `ocpp renew-certificate`: an OCPP
charger's minimum security profile (trust on upgrade: raised when it connects higher, lowered
only here or on the operator's page) and the certificates chargebook's CA signed for chargers.
"""

from __future__ import annotations

import asyncio

import typer
from rich.table import Table

from chargebook.cli.console import plain_console
from chargebook.cli.errors import handle_errors
from chargebook.clock import SystemClock
from chargebook.db import open_database
from chargebook.domain.charge_point_id import charge_point_id_problem
from chargebook.domain.ocpp_security import describe_profile
from chargebook.settings import load_settings


def _charge_point_id(value: str) -> str:
    problem = charge_point_id_problem(value)
    if problem is not None:
        raise typer.BadParameter(problem)
    return value


def _day(moment: object) -> str:
    return str(getattr(moment, "date", lambda: moment)())


@handle_errors
def security_command(
    charge_point_id: str = typer.Argument(
        ..., help="The charge point id.", callback=_charge_point_id
    ),
    min_profile: int | None = typer.Option(
        None,
        "--min-profile",
        min=0,
        max=3,
        help="Set the lowest security profile it may connect with (0-3; may lower it).",
    ),
) -> None:
    """Show (or set) CHARGE_POINT_ID's minimum security profile and its certificates."""
    from chargebook.central_system.security_profiles import charger_security, set_minimum_profile

    database = open_database(load_settings())
    try:
        if min_profile is not None:
            previous = set_minimum_profile(database, SystemClock(), charge_point_id, min_profile)
            typer.echo(
                f"{charge_point_id}: minimum security profile {describe_profile(min_profile)} "
                f"(was {previous}); applies from its next connection"
            )
        security = charger_security(database, SystemClock(), charge_point_id)
    finally:
        database.dispose()
    typer.echo(
        f"{charge_point_id}: minimum security profile {describe_profile(security.minimum_profile)}"
    )
    typer.echo("  (raised when it connects with a higher one; a lower one is then refused)")
    for cert in security.certificates:
        typer.echo(
            f"  certificate {cert.serial_hex}: {cert.subject}, valid until "
            f"{_day(cert.not_after)}, SHA-256 {cert.sha256_fingerprint}"
        )
    if not security.certificates:
        typer.echo("  no certificate issued by chargebook")


@handle_errors
def certificates_command() -> None:
    """List the certificates chargebook's CA signed for chargers, soonest expiry first."""
    from chargebook.central_system.security_profiles import issued_certificates

    database = open_database(load_settings())
    try:
        certificates = issued_certificates(database, SystemClock())
    finally:
        database.dispose()
    table = Table(title="Certificates issued to OCPP chargers")
    for column in ("charge point", "serial", "valid until", "type", "SHA-256"):
        table.add_column(column)
    for cert in certificates:
        table.add_row(
            cert.charge_point_id,
            cert.serial_hex,
            _day(cert.not_after),
            cert.certificate_type,
            cert.sha256_fingerprint,
        )
    plain_console().print(table)


@handle_errors
def renew_certificate_command(
    charge_point_id: str = typer.Argument(
        ..., help="The charge point id.", callback=_charge_point_id
    ),
) -> None:
    """Ask a connected charger to renew its certificate (it sends a new CSR to sign).

    Reaches the central-system process that holds the charger through PostgreSQL, as every
    command from another process does.
    """
    from chargebook.central_system.security_profiles import renew_certificate

    settings = load_settings()
    database = open_database(settings)
    try:
        asyncio.run(
            renew_certificate(database, charge_point_id, timeout_s=settings.ocpp_response_timeout_s)
        )
    finally:
        database.dispose()
    typer.echo(f"{charge_point_id} accepted: it will send a new certificate signing request")
