"""`chargebook ere payout-account` (an owner's IBAN) and the SEPA runs under
`chargebook ere payouts` (sepa, runs, run-paid, run-cancel)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from chargebook.cli import params
from chargebook.cli.ere_common import console, ere_store, ere_store_with_box, local, period_arg
from chargebook.cli.ere_money import payouts_app
from chargebook.cli.errors import handle_errors
from chargebook.db.ere.store import EreStore
from chargebook.ere.service.payout_accounts import payout_account, set_payout_account
from chargebook.ere.service.payout_runs import (
    build_sepa_run,
    cancel_run,
    mark_run_paid,
    operator_debtor,
    sepa_run_file,
)
from chargebook.errors import NotFoundError

payout_account_app = typer.Typer(
    help="Owners' payout details (IBAN, account holder).", no_args_is_help=True
)
CUSTOMER = typer.Option(..., "--customer", help="E-mail of the owner's user.")


def _user_id(store: EreStore, email: str) -> int:
    user = store.users.get_by_email(email)
    if user is None:
        raise NotFoundError(f"no user with e-mail {email}")
    return user.id


@payout_account_app.command("set")
@handle_errors
def account_set(
    customer: str = CUSTOMER,
    iban: str = typer.Option(..., "--iban", help="IBAN (spaces allowed)."),
    holder: str = typer.Option(..., "--holder", help="Account holder as the bank knows it."),
) -> None:
    """Set or change where an owner's payouts go (stored encrypted, shown masked)."""
    with ere_store_with_box() as (store, box, _settings):
        saved = set_payout_account(
            store, box, user_id=_user_id(store, customer), iban=iban, holder=holder,
            actor="cli",
        )  # fmt: skip
    bic = f", BIC {saved.bic}" if saved.bic else ""
    console().print(f"{customer}: payouts to {saved.iban_masked} ({saved.holder}{bic})")


@payout_account_app.command("show")
@handle_errors
def account_show(customer: str = CUSTOMER) -> None:
    """An owner's payout details, masked."""
    with ere_store() as store:
        shown = payout_account(store, _user_id(store, customer))
    if shown is None:
        console().print(f"{customer}: no payout details yet (payouts wait for them)")
        return
    console().print(
        f"{customer}: {shown.iban_masked} ({shown.holder}), changed {local(shown.updated_at)} "
        f"by {shown.updated_by}"
    )


@payouts_app.command("sepa")
@handle_errors
def payouts_sepa(
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the XML.")],
    period: Annotated[
        str | None, typer.Option("--period", help="2026-Q3 (default: every period).")
    ] = None,
) -> None:
    """Write a SEPA credit transfer file (pain.001) for the pending payouts with payout details
    and record it as an open payout run; mark it paid with `run-paid` once the bank ran it."""
    chosen = period_arg(period) if period is not None else None
    with ere_store_with_box() as (store, box, settings):
        built = build_sepa_run(store, box, operator_debtor(settings), actor="cli", period=chosen)
        try:
            output.write_bytes(built.xml)
        except OSError as exc:
            raise typer.BadParameter(f"cannot write {output}: {exc.strerror}") from None
    run = built.run
    console().print(
        f"run {run.id}: {run.payout_count} payout(s), EUR {run.total_eur:.2f}, "
        f"SHA-256 {run.file_sha256}\nwrote {output}"
    )
    for left in built.left_out:
        console().print(
            f"left out statement {left.statement_id} ({left.customer_email}): {left.reason}"
        )


@payouts_app.command("runs")
@handle_errors
def payouts_runs() -> None:
    """Every SEPA payout run, newest first."""
    with ere_store() as store:
        runs = store.payout_runs.list()
    table = Table("run", "period", "payouts", "total", "status", "created", "reference", "SHA-256")
    for run in runs:
        table.add_row(
            str(run.id),
            run.period.label if run.period else "all",
            str(run.payout_count),
            f"{run.total_eur:.2f}",
            run.status.value,
            local(run.created_at),
            run.reference or "",
            run.file_sha256[:16],
        )
    console().print(table)


@payouts_app.command("run-file")
@handle_errors
def payouts_run_file(
    run_id: int = typer.Argument(..., callback=params.book_id, help="Run id."),
    output: Annotated[Path, typer.Option("-o", "--output")] = Path("."),
) -> None:
    """Write a run's file again (the same bytes as when it was built)."""
    with ere_store_with_box() as (store, box, _settings):
        name, data = sepa_run_file(store, box, run_id)
    target = output / name if output.is_dir() else output
    try:
        target.write_bytes(data)
    except OSError as exc:
        raise typer.BadParameter(f"cannot write {target}: {exc.strerror}") from None
    console().print(f"wrote {target}")


@payouts_app.command("run-paid")
@handle_errors
def payouts_run_paid(
    run_id: int = typer.Argument(..., callback=params.book_id, help="Run id."),
    reference: str | None = typer.Option(None, "--reference", help="The bank's reference."),
) -> None:
    """The bank executed the run's file: mark its payouts paid (once)."""
    with ere_store() as store:
        run = mark_run_paid(store, run_id, reference, actor="cli")
    console().print(f"run {run.id}: {run.payout_count} payout(s), EUR {run.total_eur:.2f} paid")


@payouts_app.command("run-cancel")
@handle_errors
def payouts_run_cancel(
    run_id: int = typer.Argument(..., callback=params.book_id, help="Run id."),
) -> None:
    """The file was not sent or the bank refused it: free its payouts for a new file."""
    with ere_store() as store:
        run = cancel_run(store, run_id, actor="cli")
    console().print(f"run {run.id} cancelled; its {run.payout_count} payout(s) are pending again")
