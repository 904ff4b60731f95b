"""`chargebook ere connection|mandate|price|metering|followups`: the data ERE needs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import typer
from rich.table import Table

from chargebook.cli import params
from chargebook.cli.console import styled
from chargebook.cli.ere_common import console, ere_store, local, period_arg, when_arg
from chargebook.cli.errors import handle_errors
from chargebook.cli.refs import charger_book_ids
from chargebook.domain.ere import Address, MeteringKind
from chargebook.domain.ere_book import FollowUpStatus
from chargebook.ere import parse_amount
from chargebook.ere.mandates import MANDATE_PROBLEM_MESSAGES
from chargebook.ere.service import (
    add_connection,
    add_mandate,
    detect_metering,
    link_charger,
    record_construct,
    set_price,
)

connection_app = typer.Typer(help="Customers' grid connections (EAN).", no_args_is_help=True)
mandate_app = typer.Typer(help="Mandates per EAN and calendar year.", no_args_is_help=True)
price_app = typer.Typer(help="The operator's price per ERE per period.", no_args_is_help=True)
metering_app = typer.Typer(help="Metering constructs per charger.")
followups_app = typer.Typer(help="Follow-ups for chargers that need an upgrade.")


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
    """Record a customer's grid connection and link chargers to it."""
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
    console().print(
        f"connection {stored.id}: EAN {stored.connection.ean}, chargers "
        f"{', '.join(map(str, stored.charger_ids)) or 'none'}"
    )


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
    console().print(f"EAN {stored.connection.ean}: chargers {list(stored.charger_ids)}")


@connection_app.command("list")
@handle_errors
def connection_list() -> None:
    """Every connection with its customer and chargers."""
    with ere_store() as store:
        rows = store.connections.list()
    table = Table("id", "EAN", "customer", "connected party", "address", "chargers")
    for c in rows:
        a = c.connection.address
        table.add_row(
            str(c.id),
            c.connection.ean,
            c.customer_email,
            c.connection.connected_party_name,
            f"{a.street} {a.house_number}, {a.postal_code} {a.city}",
            ", ".join(map(str, c.charger_ids)),
        )
    console().print(table)


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


@metering_app.callback(invoke_without_command=True)
@handle_errors
def metering_list(ctx: typer.Context) -> None:
    """Every charger's current metering construct (subcommands: detect, set)."""
    if ctx.invoked_subcommand is not None:
        return
    with ere_store() as store:
        chargers = store.chargers.list()
        constructs = {c.id: store.metering.list_constructs(charger_id=c.id) for c in chargers}
    table = Table("charger", "model", "construct", "from", "until", "MID serial", "SAP EAN", "by")
    for charger in chargers:
        history = constructs[charger.id]
        if not history:
            table.add_row(str(charger.id), charger.charger.model, styled("none recorded", "dim"))
        for item in history:
            c = item.construct
            table.add_row(
                str(charger.id),
                charger.charger.model,
                c.kind.value,
                local(c.valid_from),
                local(c.valid_until),
                c.mid_serial or "-",
                c.sap_ean or "-",
                item.recorded_by,
            )
    console().print(table)


@metering_app.command("detect")
@handle_errors
def metering_detect(
    since: str | None = typer.Option(
        None, "--since", help="A first qualifying construct is in place from this date."
    ),
) -> None:
    """Assess every synced charger's metering and record the result."""
    with ere_store() as store:
        outcomes = detect_metering(store, now=store.clock.now(), since=when_arg(since))
    table = Table("charger", "verdict", "recorded", "follow-ups", "explanation")
    for o in outcomes:
        table.add_row(
            str(o.charger.id),
            o.assessment.verdict.value,
            o.construct.construct.kind.value if o.recorded and o.construct else "-",
            ", ".join(f.kind for f in o.follow_ups_created) or "-",
            o.assessment.explanation,
        )
    console().print(table)


@metering_app.command("set")
@handle_errors
def metering_set(
    kind: Annotated[MeteringKind, typer.Option("--kind")],
    charger: str = _CHARGER_ARG,
    valid_from: str = typer.Option(..., "--from", help="Date or date-time it is in place."),
    mid_serial: str | None = typer.Option(None, "--mid-serial"),
    sap_ean: str | None = typer.Option(None, "--sap-ean"),
    note: str = typer.Option("recorded by the operator", "--note"),
) -> None:
    """Record a construct the operator established (e.g. a SAP with its EAN and meter)."""
    start = when_arg(valid_from)
    assert start is not None
    (charger_id,) = charger_book_ids([charger])
    with ere_store() as store:
        stored = record_construct(
            store,
            charger_id,
            kind=kind,
            valid_from=start,
            mid_serial=mid_serial,
            sap_ean=sap_ean,
            explanation=note,
        )
    console().print(f"charger {charger_id}: {stored.construct.kind.value} from {local(start)}")


@followups_app.callback(invoke_without_command=True)
@handle_errors
def followups_list(
    ctx: typer.Context,
    status: Annotated[FollowUpStatus | None, typer.Option("--status")] = None,
) -> None:
    """Follow-ups (upgrade quote, SAP guidance) and their status (subcommand: set)."""
    if ctx.invoked_subcommand is not None:
        return
    with ere_store() as store:
        rows = store.metering.list_follow_ups(status=status)
    table = Table("id", "charger", "kind", "status", "updated", "note", "why")
    for f in rows:
        table.add_row(
            str(f.id),
            str(f.charger_id),
            f.kind,
            f.status.value,
            local(f.updated_at),
            f.note or "",
            f.explanation,
        )
    console().print(table)


@followups_app.command("set")
@handle_errors
def followups_set(
    follow_up: Annotated[int, typer.Argument(callback=params.book_id, help="Follow-up id.")],
    status: Annotated[FollowUpStatus, typer.Argument()],
    note: str | None = typer.Option(None, "--note"),
) -> None:
    """Move a follow-up to open, in_progress or done."""
    with ere_store() as store:
        stored = store.metering.set_follow_up_status(follow_up, status, note)
    console().print(f"follow-up {stored.id}: {stored.status.value}")
