"""`chargebook ere connection|mandate|price`: the data ERE needs (metering and follow-ups:
`ere_metering.py`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import typer
from rich.table import Table

from chargebook.cli import params
from chargebook.cli.console import styled
from chargebook.cli.ere_common import console, ere_store, period_arg
from chargebook.cli.errors import handle_errors
from chargebook.cli.refs import charger_book_ids
from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import Address, CustomerKind
from chargebook.ere import parse_amount
from chargebook.ere.mandates import MANDATE_PROBLEM_MESSAGES
from chargebook.ere.service import (
    add_connection,
    add_mandate,
    link_charger,
    set_customer_kind,
    set_price,
)
from chargebook.ere.service.parties import connection_parties, record_party_verification

connection_app = typer.Typer(help="Customers' grid connections (EAN).", no_args_is_help=True)
mandate_app = typer.Typer(help="Mandates per EAN and calendar year.", no_args_is_help=True)
price_app = typer.Typer(help="The operator's price per ERE per period.", no_args_is_help=True)


_CHARGER_ARG = typer.Argument(
    ...,
    callback=params.reference,
    help="The charger's id (`chargebook chargers list`), or its id at the source.",
)


@connection_app.command("add")
@handle_errors
def connection_add(
    ean: str = typer.Option(..., "--ean", help="18-digit EAN of the connection."),
    customer: str = typer.Option(..., "--customer", help="E-mail of the connected party's user."),
    name: str = typer.Option(..., "--name", help="Connected party's name (aangeslotene)."),
    street: str = typer.Option(..., "--street"),
    number: str = typer.Option(..., "--number", help="House number (with addition)."),
    postal_code: str = typer.Option(..., "--postal-code"),
    city: str = typer.Option(..., "--city"),
    charger: Annotated[
        list[str] | None,
        typer.Option("--charger", help="Id of a charger behind it (`chargebook chargers list`)."),
    ] = None,
) -> None:
    """Record a customer's grid connection and link chargers to it (the same EAN again for
    the same customer attaches the chargers to the recorded connection)."""
    charger_ids = charger_book_ids(charger or [])
    with ere_store() as store:
        stored = add_connection(
            store,
            ean=ean,
            customer_email=customer,
            connected_party_name=name,
            address=Address(street, number, postal_code, city),
            charger_ids=charger_ids,
        )
        covered = _mandate_cover(store, stored.connection.ean)
    console().print(
        f"connection {stored.id}: EAN {stored.connection.ean}, chargers "
        f"{', '.join(map(str, stored.charger_ids)) or 'none'}; {covered}"
    )


def _mandate_cover(store: EreStore, ean: str) -> str:
    """Which years the EAN's mandates cover, in words (they cover every charger behind it)."""
    years = sorted(
        {
            y
            for m in store.mandates.list(ean=ean)
            for y in range(m.mandate.first_year, m.mandate.last_year + 1)
        }
    )
    if not years:
        return "no mandate yet"
    return "mandate for " + ", ".join(map(str, years))


@connection_app.command("link")
@handle_errors
def connection_link(
    ean: str = typer.Argument(..., help="EAN of the connection."),
    charger: str = _CHARGER_ARG,
) -> None:
    """Link one more charger to a connection."""
    (charger_id,) = charger_book_ids([charger])
    with ere_store() as store:
        stored = link_charger(store, ean=ean, charger_id=charger_id)
        covered = _mandate_cover(store, stored.connection.ean)
    console().print(f"EAN {stored.connection.ean}: chargers {list(stored.charger_ids)}; {covered}")


@connection_app.command("verify")
@handle_errors
def connection_verify(
    ean: str = typer.Argument(..., help="EAN of the connection."),
    method: str = typer.Option(
        ...,
        "--method",
        help="energy_bill, grid_operator_letter, car_register or owner_declaration.",
    ),
    verified_by: str = typer.Option(..., "--by", help="Who verified the connected party."),
    verified_on: str | None = typer.Option(
        None, "--on", help="Date of the verification (YYYY-MM-DD); default today."
    ),
    note: str | None = typer.Option(None, "--note"),
) -> None:
    """Record how the connected party (aangeslotene) of a connection was verified, and when."""
    try:
        day = date.fromisoformat(verified_on) if verified_on else None
    except ValueError:
        raise typer.BadParameter(f"--on {verified_on!r} is not YYYY-MM-DD") from None
    with ere_store() as store:
        stored = record_party_verification(
            store,
            ean=ean,
            method=method,
            verified_by=verified_by,
            verified_on=day or store.clock.now().date(),
            note=note,
            actor="cli",
        )
    console().print(
        f"EAN {ean}: connected party verified by {stored.verified_by} on "
        f"{stored.verified_on.isoformat()} ({stored.method.label})"
    )


@connection_app.command("list")
@handle_errors
def connection_list() -> None:
    """Every connection with its customer and chargers."""
    with ere_store() as store:
        rows = connection_parties(store)
    table = Table("id", "EAN", "customer", "connected party", "address", "chargers", "verified")
    for row in rows:
        c, v = row.connection, row.verification
        a = c.connection.address
        table.add_row(
            str(c.id),
            c.connection.ean,
            c.customer_email,
            c.connection.connected_party_name,
            f"{a.street} {a.house_number}, {a.postal_code} {a.city}",
            ", ".join(map(str, c.charger_ids)),
            f"{v.method.label}, {v.verified_on.isoformat()}, {v.verified_by}"
            if v
            else styled("not verified", "yellow"),
        )
    console().print(table)


@connection_app.command("kind")
@handle_errors
def connection_kind(
    ean: Annotated[str, typer.Argument(help="EAN of the connection.")],
    kind: Annotated[CustomerKind, typer.Argument(help="private or business")],
) -> None:
    """Record the customer as private (only a MID meter built into the charger counts) or
    business (a separate MID meter, e.g. a SAP, counts too)."""
    with ere_store() as store:
        stored = set_customer_kind(store, ean=ean, kind=kind)
    console().print(
        f"EAN {stored.connection.ean}: {stored.connection.customer_kind.value} customer"
    )


@mandate_app.command("add")
@handle_errors
def mandate_add(
    ean: str = typer.Option(..., "--ean"),
    first_year: int = typer.Option(
        ..., "--from-year", callback=params.year, help="First calendar year covered."
    ),
    last_year: int = typer.Option(
        ..., "--to-year", callback=params.year, help="Last calendar year covered."
    ),
    signed_by: str = typer.Option(..., "--signed-by", help="Name of the signatory."),
    signed_on: str = typer.Option(..., "--signed-on", help="Date of signature (YYYY-MM-DD)."),
    grid_data: bool = typer.Option(
        False, "--consent-grid-data/--no-consent-grid-data", help="NEa may request grid data."
    ),
    verifier_visit: bool = typer.Option(
        False, "--consent-verifier-visit/--no-consent-verifier-visit", help="Verifier may visit."
    ),
    provider: str = typer.Option("chargebook", "--provider", help="Service provider id."),
) -> None:
    """Record a signed mandate for whole calendar years (one provider per EAN per year)."""
    try:
        signed = date.fromisoformat(signed_on)
    except ValueError:
        raise typer.BadParameter(f"--signed-on {signed_on!r} is not YYYY-MM-DD") from None
    if last_year < first_year:
        raise typer.BadParameter("--to-year is before --from-year")
    with ere_store() as store:
        added = add_mandate(
            store,
            ean=ean,
            service_provider_id=provider,
            first_year=first_year,
            last_year=last_year,
            consent_grid_operator_data=grid_data,
            consent_verifier_visit=verifier_visit,
            signed_by_name=signed_by,
            signed_on=signed,
        )
    console().print(f"mandate {added.stored.id}: EAN {ean}, {first_year}-{last_year}")
    for problem in added.problems:
        console().print(styled("incomplete:", "yellow"), MANDATE_PROBLEM_MESSAGES[problem])


@mandate_app.command("list")
@handle_errors
def mandate_list() -> None:
    """Every mandate."""
    with ere_store() as store:
        rows = store.mandates.list()
    table = Table("id", "EAN", "years", "provider", "signed by", "signed on", "consents")
    for m in rows:
        d = m.mandate
        consents = ("grid " if d.consent_grid_operator_data else "") + (
            "visit" if d.consent_verifier_visit else ""
        )
        table.add_row(
            str(m.id),
            d.ean,
            f"{d.first_year}-{d.last_year}",
            d.service_provider_id,
            d.signed_by_name,
            d.signed_on.isoformat(),
            consents.strip() or "none",
        )
    console().print(table)


@price_app.command("set")
@handle_errors
def price_set(
    period: str = typer.Argument(..., help="2026-Q1 or 2026."),
    price: str = typer.Argument(
        ..., callback=params.amount("PRICE", maximum=Decimal(1000)), help="EUR per ERE, e.g. 0.489."
    ),
) -> None:
    """Set the price per ERE the operator pays out for a period."""
    # The callback has checked it as every door reads an amount (`chargebook.ere.parse_amount`).
    chosen, value = period_arg(period), parse_amount(price, "PRICE")
    with ere_store() as store:
        set_price(store, chosen, value)
    console().print(f"{chosen.label}: EUR {value} per ERE")


@price_app.command("list")
@handle_errors
def price_list() -> None:
    """Every stored price."""
    with ere_store() as store:
        prices = store.statements.prices()
    table = Table("period", "EUR per ERE")
    for period, value in sorted(prices.items(), key=lambda item: item[0].sort_key):
        table.add_row(period.label, str(value))
    console().print(table)
