"""`chargebook worker`: run queue jobs (PostgreSQL); `status` and `defer` for operators.

Configured by the environment like every command (CHARGEBOOK_DATABASE_URL, _DATA_DIR,
_SECRET_KEY, _WALLBOX_API_URL/_AUTH_URL, CHARGEBOOK_WORKER_*). Exit codes as in
cli/errors.py: 8 for a configuration error (SQLite, missing key, schema not upgraded).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from procrastinate import App
from procrastinate.exceptions import ConnectorException
from rich.table import Table

from chargebook.cli.console import plain_console
from chargebook.cli.errors import handle_errors
from chargebook.clock import SystemClock
from chargebook.errors import ConflictError
from chargebook.jobs.queue import (
    build_app,
    defer_ere_batch,
    defer_ere_statements,
    defer_sync,
)
from chargebook.jobs.worker import QueueStatus, queue_status, run_worker
from chargebook.jobs.worker_jobs import WorkerRuntime
from chargebook.settings import Settings, load_settings

worker_app = typer.Typer(
    help="Run jobs from the PostgreSQL queue (sync, recorder, ERE batches, statements)."
)
defer_app = typer.Typer(help="Queue a job for the workers.", no_args_is_help=True)
worker_app.add_typer(defer_app, name="defer")

T = TypeVar("T")


@worker_app.callback(invoke_without_command=True)
@handle_errors
def worker(
    ctx: typer.Context,
    concurrency: Annotated[
        int | None,
        typer.Option("--concurrency", min=1, help="Jobs at once (CHARGEBOOK_WORKER_CONCURRENCY)."),
    ] = None,
    queue: Annotated[
        list[str] | None,
        typer.Option("--queue", help="Only this queue (sync, record, ere, schedule); repeatable."),
    ] = None,
) -> None:
    """Run jobs until SIGTERM/SIGINT (graceful: running jobs finish). Needs PostgreSQL."""
    if ctx.invoked_subcommand is not None:
        return
    settings = load_settings()
    build_app(settings)  # a SQLite setup fails here, before the database is opened
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # One line per request would drown the job log (URLs carry no secrets either way).
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # the schema check at start
    runtime = WorkerRuntime.open(settings)
    app = build_app(settings, runtime)

    async def run() -> None:
        async with app.open_async():
            await run_worker(app, settings, concurrency=concurrency, queues=queue)

    try:
        asyncio.run(run())
    finally:
        runtime.close()


@worker_app.command("status")
@handle_errors
def status(
    check: bool = typer.Option(
        False, "--check", help="Exit 1 when a job is stalled or failed (for monitoring)."
    ),
) -> None:
    """Jobs per queue and status, live workers, stalled and failed jobs."""
    settings = load_settings()
    report = _with_app(settings, lambda app: queue_status(app, settings))
    _print_status(report)
    if check and not report.healthy:
        raise typer.Exit(code=1)


@worker_app.command("retry")
@handle_errors
def retry(job_id: Annotated[list[int], typer.Argument(help="Ids of failed jobs.")]) -> None:
    """Put failed jobs back in the queue (after fixing what made them fail)."""
    settings = load_settings()

    async def retry_all(app: App) -> None:
        for one in job_id:
            await app.job_manager.retry_job_by_id_async(one, retry_at=SystemClock().now())

    try:
        _with_app(settings, retry_all)
    except ConnectorException:
        raise ConflictError("only failed (or running) jobs can be retried") from None
    typer.echo(f"retrying {len(job_id)} job(s)")


@worker_app.command("prune")
@handle_errors
def prune(
    days: int = typer.Option(30, "--days", min=0, help="Finished this many days ago or more."),
) -> None:
    """Delete failed, cancelled and aborted jobs that ended `--days` ago or earlier."""
    settings = load_settings()
    _with_app(
        settings,
        lambda app: app.job_manager.delete_old_jobs(
            nb_hours=days * 24, include_failed=True, include_cancelled=True, include_aborted=True
        ),
    )
    typer.echo(f"deleted finished jobs older than {days} day(s)")


@defer_app.command("sync")
@handle_errors
def defer_sync_command(
    account_id: Annotated[
        list[int] | None, typer.Argument(help="Account ids (default: all).")
    ] = None,
) -> None:
    """Queue a sync of the accounts (skipped for an account whose sync is already waiting)."""
    settings = load_settings()

    ids = account_id
    if not ids:
        runtime = WorkerRuntime.open(settings)
        try:
            ids = runtime.enabled_account_ids()
        finally:
            runtime.close()

    async def defer(app: App) -> list[tuple[int, int | None]]:
        return [(one, await defer_sync(app, one)) for one in ids]

    for one, job_id in _with_app(settings, defer):
        typer.echo(f"account {one}: " + (f"job {job_id}" if job_id else "already queued"))


@defer_app.command("ere-batch")
@handle_errors
def defer_ere_batch_command(
    period: str = typer.Argument(..., help="2026 or 2026-Q1."),
    corrects: int | None = typer.Option(None, "--corrects", help="Finalized batch to correct."),
) -> None:
    """Queue a draft batch build for the period (`chargebook ere batch create` on a worker)."""
    settings = load_settings()
    job_id = _with_app(settings, lambda app: defer_ere_batch(app, _period(period), corrects))
    typer.echo(f"queued job {job_id}")


@defer_app.command("statements")
@handle_errors
def defer_statements_command(
    period: str = typer.Argument(..., help="2026-Q1 (or 2026 for year batches)."),
    fee: str = typer.Option("0.20", "--fee", help="Service fee as a fraction (0.20 = 20 %)."),
) -> None:
    """Queue statements for the period; the worker writes CSV and PDFs to
    CHARGEBOOK_WORKER_STATEMENTS_DIR (default <data dir>/statements)."""
    settings = load_settings()
    try:
        job_id = _with_app(settings, lambda app: defer_ere_statements(app, _period(period), fee))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    typer.echo(f"queued job {job_id}")


def _period(text: str) -> str:
    from chargebook.domain.ere_book import parse_period

    try:
        return parse_period(text).label
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _with_app(settings: Settings, action: Callable[[App], Awaitable[T]]) -> T:
    app = build_app(settings)

    async def run() -> T:
        async with app.open_async():
            return await action(app)

    return asyncio.run(run())


def _print_status(report: QueueStatus) -> None:
    console = plain_console()
    table = Table("queue", "todo", "doing", "failed", "cancelled", "aborted", title="Queues")
    for q in report.queues:
        table.add_row(
            q.name, *(str(n) for n in (q.todo, q.doing, q.failed, q.cancelled, q.aborted))
        )
    console.print(table)
    workers = Table("worker", "last heartbeat (UTC)", "running jobs", title="Workers")
    for w in report.workers:
        workers.add_row(
            str(w.id), w.last_heartbeat.strftime("%Y-%m-%d %H:%M:%S"), str(w.running_jobs)
        )
    console.print(workers)
    for title, jobs in (("Stalled jobs", report.stalled), ("Failed jobs", report.failed)):
        listing = Table(
            "id", "task", "queue", "attempts", "arguments", title=f"{title} ({len(jobs)})"
        )
        for job in jobs:
            listing.add_row(str(job.id), job.task, job.queue, str(job.attempts), job.args)
        console.print(listing)
