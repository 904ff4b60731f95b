"""`chargebook ere eligibility` and `chargebook ere batch create|finalize|export|list|show|
discard`: registration batches."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from chargebook.cli import params
from chargebook.cli.ere_common import NOW_HELP, console, ere_store, local, period_arg, when_arg
from chargebook.cli.errors import handle_errors
from chargebook.domain.ere_book import StoredBatch
from chargebook.ere import describe, load_parameters
from chargebook.ere.service import (
    create_batch,
    discard_batch,
    eligibility_report,
    export_batch,
    finalize_batch,
)

batch_app = typer.Typer(help="Registration batches per period.", no_args_is_help=True)


@contextmanager
def _progress(label: str, quiet: bool) -> Iterator[Callable[[int], None] | None]:
    if quiet:
        yield None
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,} sessions"),
        TimeElapsedColumn(),
        console=console(),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done: bar.update(task, completed=done)


@handle_errors
def eligibility(
    period: str = typer.Argument(..., help="2026 or 2026-Q1."),
    now: str | None = typer.Option(None, "--now", help=NOW_HELP),
    quiet: bool = typer.Option(False, "--quiet", help="No progress display."),
) -> None:
    """Run every ERE rule on the period's sessions: eligible kWh and EREs, failures per rule."""
    chosen, moment = period_arg(period), when_arg(now)
    with ere_store(moment) as store, _progress("checking", quiet) as progress:
        report = eligibility_report(
            store, chosen, parameters=load_parameters(), now=store.clock.now(), progress=progress
        )
    console().print(
        f"{chosen.label}: {report.eligible:,} of {report.evaluated:,} sessions eligible, "
        f"{report.eligible_energy_kwh} kWh, about {report.estimated_ere} ERE"
        + (" (estimated parameters)" if report.is_estimate else "")
    )
    if report.failures:
        table = Table("reason", "sessions", "first failure", "examples (session ids)", "meaning")
        for code, count in sorted(report.failures.items(), key=lambda item: -item[1]):
            table.add_row(
                code.value,
                f"{count:,}",
                f"{report.first_failures.get(code, 0):,}",
                ", ".join(map(str, report.examples.get(code, []))),
                describe(code),
            )
        console().print(table)


def _batch_table(batches: list[StoredBatch]) -> Table:
    table = Table("id", "period", "status", "sessions", "kWh", "ERE", "corrects", "finalized")
    for b in batches:
        table.add_row(
            str(b.id),
            b.period.label,
            b.status.value,
            f"{b.session_count:,}",
            str(b.total_energy_kwh),
            str(b.total_ere),
            str(b.corrects_batch_id or "-"),
            local(b.finalized_at),
        )
    return table


@batch_app.command("create")
@handle_errors
def batch_create(
    period: str = typer.Argument(..., help="2026 (a year batch) or 2026-Q1 (a quarter)."),
    corrects: int | None = typer.Option(
        None,
        "--corrects",
        callback=params.book_id,
        help="Id of the finalized batch of this period that this corrects.",
    ),
    now: str | None = typer.Option(None, "--now", help=NOW_HELP),
    quiet: bool = typer.Option(False, "--quiet", help="No progress display."),
) -> None:
    """Register every eligible, unregistered session of the period in a new draft batch."""
    chosen, moment = period_arg(period), when_arg(now)
    with ere_store(moment) as store, _progress("registering", quiet) as progress:
        created = create_batch(
            store,
            chosen,
            parameters=load_parameters(),
            now=store.clock.now(),
            corrects_batch_id=corrects,
            progress=progress,
        )
    console().print(_batch_table([created.batch]))
    table = Table("customer", "EAN", "kind", "sessions", "kWh", "ERE", "mandate", "meter check")
    for line in created.lines:
        check = line.reconciliation
        table.add_row(
            line.customer_id,
            line.ean,
            line.metering_kind.value,
            f"{line.session_count:,}",
            str(line.energy_kwh),
            str(line.ere),
            f"{line.mandate_id} ({line.mandate_first_year}-{line.mandate_last_year})",
            "-" if check is None else ("FLAGGED" if check["flagged"] == "true" else "ok"),
        )
    console().print(table)
    skipped = sum(created.skipped_by_reason.values())
    console().print(
        f"{created.evaluated:,} sessions evaluated, {skipped:,} not eligible; "
        f"draft batch {created.batch.id}: check it, then `chargebook ere batch finalize "
        f"{created.batch.id}`"
    )


@batch_app.command("finalize")
@handle_errors
def batch_finalize(
    batch_id: int = typer.Argument(..., callback=params.book_id, help="Id of a draft batch."),
) -> None:
    """Verify a draft batch, compute its manifest and make it immutable."""
    with ere_store() as store:
        batch = finalize_batch(store, batch_id)
    console().print(f"batch {batch.id} finalized; manifest SHA-256 {batch.manifest_sha256}")


@batch_app.command("discard")
@handle_errors
def batch_discard(
    batch_id: int = typer.Argument(..., callback=params.book_id, help="Id of a draft batch."),
) -> None:
    """Delete a draft batch; its sessions can be registered again."""
    with ere_store() as store:
        discard_batch(store, batch_id)
    console().print(f"draft batch {batch_id} discarded")


@batch_app.command("export")
@handle_errors
def batch_export(
    output: Annotated[Path, typer.Option("-o", "--output", help="Directory to write to.")],
    batch_id: int = typer.Argument(..., callback=params.book_id, help="Id of a finalized batch."),
) -> None:
    """Write the batch as CSV and JSON, its manifest, and an evidence pack per customer."""
    with ere_store() as store:
        done = export_batch(store, batch_id, output)
    paths = (done.csv_path, done.json_path, done.manifest_path, done.materiality_path)
    for path in (*paths, *done.evidence_paths):
        console().print(f"wrote {path}")


@batch_app.command("list")
@handle_errors
def batch_list() -> None:
    """Every batch."""
    with ere_store() as store:
        batches = store.batches.list()
    console().print(_batch_table(batches))


@batch_app.command("show")
@handle_errors
def batch_show(batch_id: int = typer.Argument(..., callback=params.book_id)) -> None:
    """A batch and its lines."""
    with ere_store() as store:
        batch = store.batches.get(batch_id)
        lines = store.batches.lines(batch_id)
    console().print(_batch_table([batch]))
    table = Table("line", "customer", "EAN", "sessions", "kWh", "ERE", "months (kWh)")
    for line in lines:
        table.add_row(
            str(line.id),
            line.customer_id,
            line.ean,
            f"{line.session_count:,}",
            str(line.energy_kwh),
            str(line.ere),
            " ".join(f"{m}:{kwh.normalize()}" for m, kwh in line.energy_kwh_by_month),
        )
    console().print(table)
