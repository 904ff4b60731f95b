"""`chargebook ere statements`, `chargebook ere payouts` and `chargebook ere sap-import`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from chargebook.cli import params
from chargebook.cli.console import styled
from chargebook.cli.ere_common import console, ere_store, local, period_arg
from chargebook.cli.errors import handle_errors
from chargebook.domain.ere_book import PayoutStatus, StoredStatement
from chargebook.ere import FeeRateError, parse_fee_rate
from chargebook.ere.service import import_sap_readings, mark_paid
from chargebook.ere.service.statement_files import state_period
from chargebook.ere.service.statements import pending_total

payouts_app = typer.Typer(help="Payouts per statement (pending -> paid).")


def _statement_table(statements: list[StoredStatement]) -> Table:
    table = Table(
        "id",
        "customer",
        "period",
        "kWh",
        "ERE",
        "EUR/ERE",
        "gross",
        "fee",
        "payout",
        "status",
        "to",
    )
    for s in statements:
        table.add_row(
            str(s.id),
            s.customer_email,
            s.period.label + (f" #{s.sequence}" if s.sequence > 1 else ""),
            str(s.energy_kwh.normalize()),
            str(s.ere),
            str(s.price_eur_per_ere.normalize()),
            f"{s.gross_eur:.2f}",
            f"{s.fee_eur:.2f}",
            f"{s.payout_eur:.2f}",
            s.payout_status.value + (f" {local(s.paid_at)}" if s.paid_at else ""),
            s.payout_iban_masked or "no payout details",
        )
    return table


@handle_errors
def statements(
    period: str = typer.Argument(..., help="2026-Q1 (or 2026 for year batches)."),
    fee: str = typer.Option("0.20", "--fee", help="Service fee as a fraction (0.20 = 20 %)."),
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write CSV and one PDF per statement.")
    ] = None,
) -> None:
    """Create statements (and pending payouts) for the period's finalized batch lines that are
    not stated yet, then list every statement of the period."""
    chosen = period_arg(period)
    try:
        fee_rate = parse_fee_rate(fee)
    except FeeRateError as exc:
        raise typer.BadParameter(f"--fee: {exc}") from None
    with ere_store() as store:
        stated = state_period(store, chosen, fee_rate=fee_rate, output=output)
    console().print(f"{len(stated.created)} new statement(s) for {chosen.label}")
    console().print(_statement_table(stated.listed))
    for path in stated.written:
        console().print(f"wrote {path}")


@payouts_app.callback(invoke_without_command=True)
@handle_errors
def payouts_list(
    ctx: typer.Context,
    status: Annotated[PayoutStatus | None, typer.Option("--status")] = None,
) -> None:
    """Payouts per statement (subcommands: mark-paid, sepa, runs, run-file, run-paid,
    run-cancel)."""
    if ctx.invoked_subcommand is not None:
        return
    with ere_store() as store:
        listed = store.statements.list(status=status)
    console().print(_statement_table(listed))
    console().print(f"pending: EUR {pending_total(listed):.2f}")


@payouts_app.command("mark-paid")
@handle_errors
def payouts_mark_paid(
    statement_id: int = typer.Argument(..., callback=params.book_id, help="Statement id."),
    reference: str | None = typer.Option(None, "--reference", help="Bank transfer reference."),
) -> None:
    """Record that a statement's payout was transferred by hand (needs payout details; a
    payout in a SEPA run is paid with `run-paid`)."""
    with ere_store() as store:
        stored = mark_paid(store, statement_id, reference)
    console().print(f"statement {stored.id}: EUR {stored.payout_eur:.2f} paid")


@handle_errors
def sap_import(
    file: Annotated[Path, typer.Argument(help="CSV: timestamp,register_kwh (see docs).")],
    ean: str = typer.Option(..., "--ean", help="EAN of the SAP or dedicated connection."),
) -> None:
    """Import a SAP/connection meter's readings and cross-check them with the sessions."""
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise typer.BadParameter(f"cannot read {file}: {exc.strerror}") from None
    with ere_store() as store:
        done = import_sap_readings(store, ean, text)
    console().print(
        f"EAN {done.ean}: {done.readings_added} new of {done.readings_in_file} readings; "
        f"chargers behind this meter: {', '.join(map(str, done.charger_ids)) or 'none'}"
    )
    table = Table("quarter", "meter kWh", "sessions", "sessions kWh", "difference", "check")
    for check in done.checks:
        r = check.reconciliation
        ratio = "-" if r.difference_ratio is None else f"{r.difference_ratio * 100:.2f} %"
        table.add_row(
            check.period.label,
            str(r.meter_energy_kwh),
            str(check.session_count),
            str(r.sessions_energy_kwh),
            ratio,
            styled(f"above {r.tolerance * 100:.0f} %", "red") if r.flagged else "ok",
        )
    console().print(table)
