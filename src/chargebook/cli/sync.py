"""`chargebook sync`, `chargebook sessions` and `chargebook accounts add|list`."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from collections.abc import Sequence
from datetime import timedelta

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table
from rich.text import Text

from chargebook.book.service import BOOK_ZONE
from chargebook.book_keys import open_secret_box
from chargebook.cli import params
from chargebook.cli.brand_accounts import add_brand_account, brand_accounts_table
from chargebook.cli.console import plain_console, styled
from chargebook.cli.errors import exit_code_for
from chargebook.clock import SystemClock, in_zone
from chargebook.db import WallboxAccountRepository, open_database
from chargebook.db.accounts.brand_accounts import BrandAccountRepository
from chargebook.db.book.store import book_opener
from chargebook.domain.models import ChargerSource
from chargebook.domain.ownership import ALREADY_CONNECTED_HINT
from chargebook.domain.users import WallboxAccount
from chargebook.errors import ChargebookError
from chargebook.settings import Settings, load_settings
from chargebook.sync import SyncConfig, SyncEngine, SyncReport
from chargebook.sync.report import reads_note, waiting_note
from chargebook.wallbox.budget import BudgetWait

accounts_app = typer.Typer(
    name="accounts",
    help="Connected accounts: myWallbox, Easee, Zaptec and Peblar.",
    no_args_is_help=True,
)
LOCAL_ZONE = BOOK_ZONE


def _fail(exc: ChargebookError) -> typer.Exit:
    # Same message and exit code as every other command (see cli/errors.py).
    code, label = exit_code_for(exc)
    plain_console(stderr=True).print(f"{label}: {exc.message}", markup=False, highlight=False)
    return typer.Exit(code=code)


class _RichProgress:
    """`SyncProgress` as one Rich progress bar per account, in reads of the cloud; a wait
    for the account's rate limit shows on its bar until the next read is done."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._tasks: dict[str, TaskID] = {}
        self._reads: dict[str, tuple[int, int]] = {}

    def update(self, account: str, *, done: int, total: int, note: str) -> None:
        self._reads[account] = (done, total)
        if total and note not in ("done", "failed"):
            note = f"{note} ({reads_note(done, total)})"
        self._show(account, done, total, note)

    def waiting(self, account: str, wait: BudgetWait) -> None:
        """A `RequestBudget` listener: the account's next request waits."""
        done, total = self._reads.get(account, (0, 0))
        self._show(account, done, total, waiting_note(wait.wait_s, wait.reason, done, total))

    def _show(self, account: str, done: int, total: int, note: str) -> None:
        if account not in self._tasks:
            # `note` from the start: the bar may render before the first update sets it.
            self._tasks[account] = self._progress.add_task(account, total=total or None, note=note)
        self._progress.update(self._tasks[account], completed=done, total=total, note=note)


def _sync_config(
    settings: Settings,
    *,
    window_days: int | None,
    overlap_days: float | None,
    history_years: float | None,
    batch_size: int | None,
    concurrency: int | None,
) -> SyncConfig:
    """The settings' sync config (`account_sources.sync_config`, as `serve` and the worker
    use), with the options given on the command line in its place.

    Raises:
        typer.BadParameter: an option out of range (exit code 2, nothing synced).
    """
    from chargebook.account_sources import sync_config  # lazy like the sync's other parts

    config = sync_config(settings)
    changes: dict[str, object] = {}
    if history_years is not None:
        changes["max_history"] = timedelta(days=365.25 * history_years)
        if window_days is None:  # one window over the whole (new) history
            changes["backfill_window"] = changes["max_history"]
    if window_days is not None:
        changes["backfill_window"] = timedelta(days=window_days)
    if overlap_days is not None:
        changes["overlap"] = timedelta(days=overlap_days)
    if batch_size is not None:
        changes["batch_size"] = batch_size
    if concurrency is not None:
        changes["max_concurrent_accounts"] = concurrency
    try:
        return dataclasses.replace(config, **changes)  # type: ignore[arg-type]
    except (ValueError, OverflowError) as exc:
        raise typer.BadParameter(str(exc)) from exc


def sync(
    account: str | None = typer.Option(None, "--account", help="Only this account (e-mail)."),
    window_days: int | None = typer.Option(
        None,
        "--window-days",
        callback=params.whole_number("days", 1, 36_525),
        help="Backfill window (days); default: CHARGEBOOK_WORKER_SYNC_WINDOW_DAYS (the history).",
    ),
    overlap_days: float | None = typer.Option(
        None,
        "--overlap-days",
        callback=params.number("days", 0, 366),
        help="Incremental re-read (days); default 2.",
    ),
    history_years: float | None = typer.Option(
        None,
        "--history-years",
        callback=params.number("years", 0, 100),
        help="Backfill horizon (years); default: CHARGEBOOK_WORKER_SYNC_HISTORY_YEARS (10).",
    ),
    batch_size: int | None = typer.Option(
        None,
        "--batch-size",
        callback=params.whole_number("sessions", 1, 100_000),
        help="Sessions per transaction; default: CHARGEBOOK_WORKER_SYNC_BATCH_SIZE (1000).",
    ),
    concurrency: int | None = typer.Option(
        None,
        "--concurrency",
        callback=params.whole_number("accounts", 1, 1000),
        help="Accounts synced at once; default 4.",
    ),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """Sync every connected account's chargers and sessions into the book (resumable)."""
    settings = load_settings()
    clock = SystemClock()
    config = _sync_config(
        settings,
        window_days=window_days,
        overlap_days=overlap_days,
        history_years=history_years,
        batch_size=batch_size,
        concurrency=concurrency,
    )
    from chargebook.account_sources import budget_registry, build_sources, close_sources
    from chargebook.brand_connectors import build_brand_sources

    budgets = budget_registry(settings, clock)
    try:
        database = open_database(settings)
        box = open_secret_box(settings, database)
        # The brands' accounts beside the Wallbox (issue 19); `--account` may name one.
        sources = build_brand_sources(settings, database, box, clock, only_username=account)
        if account is None or not sources:
            sources = (
                build_sources(settings, database, box, clock, only_email=account, budgets=budgets)
                + sources
            )
    except ChargebookError as exc:
        raise _fail(exc) from exc
    if not sources:
        typer.echo(
            "no connected accounts: run `chargebook wallbox login` (or `chargebook accounts add"
            " --email ...`); that one login serves `chargebook wallbox` and `chargebook sync`."
            " Other brands: `chargebook accounts add --brand easee|zaptec|peblar`"
        )
        raise typer.Exit(code=1)

    async def run(progress: _RichProgress | None) -> SyncReport:
        engine = SyncEngine(book_opener(database, clock), clock, config, progress=progress)
        watching = []
        if progress is not None:  # rate-limit waits show on the account's bar
            for source in sources:
                if source.source is not ChargerSource.WALLBOX_CLOUD:
                    continue  # a brand's budget is its connector's own
                waiting = functools.partial(progress.waiting, source.label)
                watching.append(budgets.for_account(source.label).watch(waiting))
        try:
            return await engine.sync_accounts(sources)
        finally:
            for stop in watching:
                stop()
            await close_sources(sources)

    console = plain_console()
    try:
        if quiet:
            report = asyncio.run(run(None))
        else:
            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
            with Progress(*columns, TextColumn("{task.fields[note]}"), console=console) as bar:
                report = asyncio.run(run(_RichProgress(bar)))
    except ChargebookError as exc:
        raise _fail(exc) from exc
    finally:
        database.dispose()
    console.print(summary_table(report))
    for item in report.accounts:
        if item.held_by_others:
            names = ", ".join(item.held_by_others)
            console.print(
                f"{item.label}: not synced, already connected by another chargebook user: "
                f"{names}. {ALREADY_CONNECTED_HINT}",
                markup=False,
                highlight=False,
            )
    if report.failed:
        raise typer.Exit(code=1)


def summary_table(report: SyncReport) -> Table:
    """The sync summary: one row per account, plus a total row; the cloud requests (and
    retries) each account cost go under the table, so the counts fit 80 columns whole."""
    table = Table(title="Sync summary", caption_justify="left")
    columns = ["chargers", "new", "changed", "quarantined"]
    table.add_column("account", overflow="fold", min_width=10)
    for name in columns:
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("status", overflow="fold", min_width=6)
    costs = []
    for item in report.accounts:
        if item.error:
            verdict = "retry later" if item.error_retryable else "failed"
            status: str | Text = styled(f"{verdict}: {item.error}", "red")
        else:
            status = "ok" if item.backfill_complete else "ok, history in progress"
        table.add_row(item.label, *(str(getattr(item, c)) for c in columns), status)
        costs.append(f"{item.label}: {item.requests} requests, {item.retries} retries")
    if len(report.accounts) > 1:
        table.add_row("total", *(str(report.total(c)) for c in columns), "")
    table.caption = "\n".join(costs)
    return table


@accounts_app.command("add")
def accounts_add(
    email: str | None = typer.Option(
        None,
        "--email",
        "--username",
        help="The myWallbox (Easee, Zaptec) e-mail address; a Peblar's address on your network.",
    ),
    password: str | None = typer.Option(
        None, "--password", "--secret", help="The password (a Peblar's web password); prompted."
    ),
    brand: str = typer.Option(
        "wallbox", "--brand", help="wallbox (default), easee, zaptec or peblar."
    ),
    owner: str | None = typer.Option(
        None, "--owner", help="The owner's e-mail (a brand account; default: the login's)."
    ),
) -> None:
    """Check the login with the charger's cloud (or a Peblar on your network), then store it
    encrypted in the book."""
    if brand.strip().lower() != "wallbox":
        add_brand_account(brand, username=email, secret=password, owner=owner)
        return
    if email is None:
        raise typer.BadParameter("Missing option '--email'.", param_hint="'--email'")
    if password is None:
        password = typer.prompt("Password", hide_input=True)
    from chargebook.account_sources import connect_account

    settings = load_settings()
    try:
        database = open_database(settings)
        box = open_secret_box(settings, database)
        account = asyncio.run(
            connect_account(settings, database, box, SystemClock(), email=email, password=password)
        )
    except ChargebookError as exc:
        raise _fail(exc) from exc
    typer.echo(
        f"connected {account.email} (account {account.id}); run `chargebook sync`. The"
        " `chargebook wallbox` commands keep their own sign-in: `chargebook wallbox login`"
        " (it also keeps this account current)"
    )


@accounts_app.command("list")
def accounts_list() -> None:
    """List connected accounts (myWallbox and the other brands) and their last sync."""
    settings = load_settings()
    try:
        database = open_database(settings)
        box = open_secret_box(settings, database)
        with database.session() as session:
            accounts = WallboxAccountRepository(session, box, SystemClock()).list()
            brands = BrandAccountRepository(session, box, SystemClock()).list()
    except ChargebookError as exc:
        raise _fail(exc) from exc
    plain_console().print(accounts_table(accounts))
    if brands:
        plain_console().print(brand_accounts_table(brands))


def accounts_table(accounts: Sequence[WallboxAccount]) -> Table:
    """One row per account: id, e-mail, enabled, signed in and the last sync (local time, or
    the last sync's error)."""
    table = Table(title="myWallbox accounts")
    table.add_column("id", no_wrap=True, justify="right")
    table.add_column("e-mail", overflow="fold")
    table.add_column("enabled", no_wrap=True)
    table.add_column("signed in", no_wrap=True)
    table.add_column("last sync (Amsterdam)", overflow="fold")
    for item in accounts:
        synced = in_zone(item.last_synced_at, LOCAL_ZONE) if item.last_synced_at else None
        last: str | Text = synced.strftime("%Y-%m-%d %H:%M") if synced else "never"
        if item.last_sync_error:
            last = styled(f"{last}; then failed: {item.last_sync_error}", "red")
        table.add_row(
            str(item.id),
            item.email,
            "no" if item.disabled else "yes",
            "yes" if item.has_tokens else "no",
            last,
        )
    return table
