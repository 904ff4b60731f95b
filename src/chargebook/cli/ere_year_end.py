"""`chargebook ere year-end` (the year-end calendar, what is due and what blocks it, as the
operator console's year-end page shows it) and `chargebook ere mandate pdf` (a signed
mandate's document)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from chargebook.cli.ere_common import NOW_HELP, console, ere_store, when_arg
from chargebook.cli.errors import handle_errors
from chargebook.ere import load_parameters
from chargebook.ere.periods import DUTCH_ZONE
from chargebook.ere.service.mandate_document import mandate_pdf
from chargebook.ere.service.year_end import kwh, year_end

_STATUS = {"not_yet": "year running", "open": "open", "due_soon": "DUE SOON", "passed": "passed"}


@handle_errors
def year_end_command(
    year: int = typer.Option(..., "--year", min=2000, max=2100, help="The booking year."),
    now: str | None = typer.Option(None, "--now", help=NOW_HELP),
) -> None:
    """The year's deadlines, what is due, and what blocks it (with the numbers)."""
    moment = when_arg(now)
    with ere_store(moment) as store:
        found = year_end(
            store,
            year,
            today=store.clock.now().astimezone(DUTCH_ZONE).date(),
            parameters=load_parameters(),
            now=store.clock.now(),
        )
    out = console()
    out.print(f"Year-end {year} (today {found.calendar.today.isoformat()})")
    table = Table("step", "last day", "legally before", "status", "days left")
    for d in found.calendar.deadlines:
        table.add_row(
            d.title, d.last_day.isoformat(), d.before.isoformat(), _STATUS[d.status.value],
            str(d.days_left),
        )  # fmt: skip
    out.print(table)
    for d in found.calendar.deadlines:
        out.print(f"  {d.key}: {d.rule}")
    batches = ", ".join(f"{b.id} {b.period.label} {b.status.value}" for b in found.batches)
    out.print(f"Batches: {batches or 'none'}")
    out.print(f"Waiting to be batched: {found.waiting_sessions} sessions, "
              f"{kwh(found.waiting_kwh)} kWh")  # fmt: skip
    if found.ready:
        running = found.calendar.deadlines[0].status.value == "not_yet"
        out.print(
            f"Nothing blocks the year-end{' so far (the year is running)' if running else ''}."
        )
        return
    out.print(f"Blocking ({len(found.blockers)}):")
    for blocker in found.blockers:
        out.print(f"  [{blocker.kind}] {blocker.message}", markup=False)


@handle_errors
def mandate_pdf_command(
    mandate_id: int = typer.Argument(..., min=1, help="The mandate id (`ere mandate list`)."),
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File (default: chargebook-mandate-ID-EAN.pdf)."),
    ] = None,
) -> None:
    """Write a signed mandate's document (PDF, as stored at first drawing) and its SHA-256."""
    with ere_store() as store:
        pdf = mandate_pdf(store, mandate_id)
    path = output or Path(pdf.filename)
    path.write_bytes(pdf.data)
    console().print(f"{path}  sha256 {pdf.sha256}", markup=False)
