"""Background history backfill for a newly connected myWallbox account, with progress.

The connect wizard's last step starts `Backfills.start(account)`: one asyncio task per account
runs the sync engine (recent sessions first, then the history window by window) while the page
polls `status(account_id)`. Once a backfill ends, `on_finished()` runs: `serve` tells its
scheduler to re-read the accounts, and the account gets its periodic sync and live recording
jobs (`serve.scheduler`), so its sessions keep coming in without a restart. The engine's steps
come from the settings (`account_sources.sync_config`), as every other sync's.

The sync engine commits every window on its own and keeps its cursor in the book, so a task
cancelled at shutdown simply resumes on the next sync.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from chargebook.account_sources import (
    budget_registry,
    build_sources,
    close_sources,
    sync_config,
)
from chargebook.brand_connectors import build_brand_sources
from chargebook.db.book.store import book_opener
from chargebook.domain.models import Charger
from chargebook.domain.users import BrandAccount, WallboxAccount
from chargebook.serve.parts import RuntimeParts
from chargebook.serve.scheduler import AccountLeases
from chargebook.sync import AccountSource, SyncEngine
from chargebook.sync.report import AccountReport, reads_note, waiting_note
from chargebook.wallbox.budget import BudgetRegistry, BudgetWait

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BackfillStatus:
    """Where one account's backfill stands: `done` of `total` reads of the cloud.

    `waiting_until` and `waiting_reason`: the account's next request waits for its rate limit
    (set by the budget's listener, cleared when the next read is done).
    """

    account_id: int
    running: bool
    done: int = 0
    total: int = 0
    note: str = "starting"
    new_sessions: int = 0
    error: str | None = None
    finished_at: datetime | None = None
    waiting_until: datetime | None = None
    waiting_reason: str | None = None

    def message(self, now: datetime) -> str:
        """What the progress page says now, e.g. 'waiting 40 s for the Wallbox rate limit
        (3 reads a minute) — 2 of 5 reads done' (the same words as `chargebook sync`)."""
        if self.waiting_until is not None and self.waiting_reason and self.waiting_until > now:
            wait_s = (self.waiting_until - now).total_seconds()
            return waiting_note(wait_s, self.waiting_reason, self.done, self.total)
        if self.total:
            return f"{self.note} ({reads_note(self.done, self.total)})"
        return self.note

    @property
    def percent(self) -> int:
        """0..100; 100 once finished (also when the engine's estimate was too high)."""
        if not self.running and self.error is None:
            return 100
        return min(99, round(100 * self.done / self.total)) if self.total else 0


class _Progress:
    """The engine's `SyncProgress`, writing into the shared status table."""

    def __init__(self, statuses: dict[int, BackfillStatus], account_id: int) -> None:
        self._statuses, self._account_id = statuses, account_id

    def update(self, account: str, *, done: int, total: int, note: str) -> None:
        current = self._statuses[self._account_id]
        self._statuses[self._account_id] = replace(
            current, done=done, total=total, note=note, waiting_until=None, waiting_reason=None
        )

    def waiting(self, wait: BudgetWait) -> None:
        """The account's `RequestBudget` listener (any thread): its next request waits."""
        current = self._statuses[self._account_id]
        self._statuses[self._account_id] = replace(
            current, waiting_until=wait.until, waiting_reason=wait.reason
        )


# An account a backfill syncs: a myWallbox account or a brand account (issue 19).
BackfillAccount = WallboxAccount | BrandAccount


def account_key(account: BackfillAccount) -> int:
    """The account's key across the process (`domain.account_keys`)."""
    return account.key if isinstance(account, BrandAccount) else account.id


class Backfills:
    """The running and finished backfills of this process."""

    def __init__(
        self, parts: RuntimeParts, *, on_finished: Callable[[], None] = lambda: None
    ) -> None:
        """`on_finished`: called on the app's loop after each backfill ends (failed too)."""
        self._parts = parts
        self._on_finished = on_finished
        # Shared with commands and the scheduler's syncs (one budget per account).
        self._budget_registry = parts.budgets or budget_registry(parts.settings, parts.clock)
        self._statuses: dict[int, BackfillStatus] = {}
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._running: dict[int, tuple[asyncio.AbstractEventLoop, asyncio.Task[Any]]] = {}
        # Shared with the scheduler's syncs: one sync of an account at a time.
        self.leases = AccountLeases()

    def status(self, account_id: int) -> BackfillStatus | None:
        """The account's backfill in this process, or None if none was started here."""
        return self._statuses.get(account_id)

    def synced_at(self, account_id: int) -> datetime | None:
        """When the account's backfill finished without error in this process (or None)."""
        status = self._statuses.get(account_id)
        if status is None or status.running or status.error is not None:
            return None
        return status.finished_at

    def running(self, account_id: int) -> bool:
        """Whether the account's backfill is running in this process (any thread may ask)."""
        status = self._statuses.get(account_id)
        return status is not None and status.running

    def start(
        self, account: BackfillAccount, chargers: Sequence[Charger] | None = None
    ) -> BackfillStatus:
        """Start the account's backfill unless it is running already; returns its status.

        `chargers`: the account's chargers as the wizard just read them; the backfill does
        not spend a read of the account's budget listing them again.
        """
        key = account_key(account)
        task = self._tasks.get(key)
        if task is not None and not task.done():
            return self._statuses[key]
        self._statuses[key] = BackfillStatus(key, running=True)
        known = tuple(chargers) if chargers is not None else None
        self._tasks[key] = asyncio.create_task(
            self._run(account, known), name=f"chargebook-backfill-{key}"
        )
        return self._statuses[key]

    async def wait(self, account_id: int) -> None:
        """Until the account's backfill has finished (tests, shutdown)."""
        task = self._tasks.get(account_id)
        if task is not None:
            await asyncio.shield(task)

    async def aclose(self) -> None:
        """Stop running backfills."""
        for loop, task in list(self._running.values()):
            loop.call_soon_threadsafe(task.cancel)
        for task in self._tasks.values():
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self, account: BackfillAccount, chargers: tuple[Charger, ...] | None) -> None:
        # The sync engine writes to the book synchronously between its awaits. On the app's
        # event loop a write waiting for SQLite's lock would stall every request, including
        # the one holding the lock: so the backfill (and every write after it) runs on its
        # own loop in a worker thread.
        try:
            report = await asyncio.to_thread(self._backfill, account, chargers)
        except Exception as exc:  # a task must never die silently
            _LOGGER.exception("backfill of account %d failed", account_key(account))
            self._finish(account, error=type(exc).__name__)
        else:
            self._finish(account, error=report.error, new=report.new)
        # Its periodic jobs start now (they also retry what a failed backfill left).
        self._on_finished()

    def _finish(self, account: BackfillAccount, *, error: str | None, new: int = 0) -> None:
        key = account_key(account)
        self._statuses[key] = replace(
            self._statuses[key],
            running=False,
            new_sessions=new,
            error=error,
            note="failed" if error else "complete",
            finished_at=self._parts.clock.now(),
        )

    def _budgets(self) -> BudgetRegistry:
        return self._budget_registry

    def _sources(self, account: BackfillAccount) -> list[AccountSource]:
        parts = self._parts
        if isinstance(account, BrandAccount):
            return build_brand_sources(
                parts.settings,
                parts.database,
                parts.box,
                parts.clock,
                registry=parts.brands,
                only_key=account.key,
            )
        return build_sources(
            parts.settings,
            parts.database,
            parts.box,
            parts.clock,
            only_email=account.email,
            transport=parts.wallbox_transport,
            budgets=self._budgets(),
        )

    def _backfill(
        self, account: BackfillAccount, chargers: tuple[Charger, ...] | None
    ) -> AccountReport:
        """The sync (runs on a worker thread); it gives new chargers the account's owner."""
        with self.leases.hold(account_key(account)):  # after a periodic sync of it that is running
            return asyncio.run(self._sync(account, chargers))

    async def _sync(
        self, account: BackfillAccount, chargers: tuple[Charger, ...] | None
    ) -> AccountReport:
        """One full sync of the account (runs on the worker thread's loop)."""
        task = asyncio.current_task()
        assert task is not None
        key = account_key(account)
        self._running[key] = (asyncio.get_running_loop(), task)
        parts = self._parts
        sources = self._sources(account)
        progress = _Progress(self._statuses, key)
        engine = SyncEngine(
            book_opener(parts.database, parts.clock),
            parts.clock,
            sync_config(parts.settings),
            progress=progress,
        )
        # A brand's budget is its connector's own: its waits are not shown as progress.
        stop_watching = (
            self._budgets().for_account(account.email).watch(progress.waiting)
            if isinstance(account, WallboxAccount)
            else lambda: None
        )
        try:
            return await engine.sync_account(replace(sources[0], known_chargers=chargers))
        finally:
            stop_watching()
            self._running.pop(key, None)
            await close_sources(sources)
