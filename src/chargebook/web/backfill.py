"""Background history backfill for a newly connected myWallbox account, with progress.

The connect wizard's last step starts `Backfills.start(account)`: one asyncio task per account
runs the sync engine (recent sessions first, then the history window by window) while the page
polls `status(account_id)`. When the app runs the scheduler, the account then gets its periodic
sync and live recording jobs, so its sessions keep coming in without a restart.

The sync engine commits every window on its own and keeps its cursor in the book, so a task
cancelled at shutdown simply resumes on the next sync.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, replace
from datetime import datetime

from chargebook.cli.wallbox_accounts import build_sources, close_sources
from chargebook.db import ChargerRepository
from chargebook.db.book_store import book_opener
from chargebook.domain.users import WallboxAccount
from chargebook.jobs.book_jobs import schedule_account_jobs
from chargebook.sync import SyncConfig, SyncEngine
from chargebook.sync.engine import AccountSource
from chargebook.sync.recorder import Recorder
from chargebook.web.context import WebContext

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BackfillStatus:
    """Where one account's backfill stands: `done` of `total` history requests."""

    account_id: int
    running: bool
    done: int = 0
    total: int = 0
    note: str = "starting"
    new_sessions: int = 0
    error: str | None = None
    finished_at: datetime | None = None

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
        self._statuses[self._account_id] = replace(current, done=done, total=total, note=note)


class Backfills:
    """The running and finished backfills of this process."""

    def __init__(self, context: WebContext) -> None:
        self._context = context
        self._statuses: dict[int, BackfillStatus] = {}
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._scheduled: list[AccountSource] = []

    def status(self, account_id: int) -> BackfillStatus | None:
        """The account's backfill in this process, or None if none was started here."""
        return self._statuses.get(account_id)

    def start(self, account: WallboxAccount) -> BackfillStatus:
        """Start the account's backfill unless it is running already; returns its status."""
        task = self._tasks.get(account.id)
        if task is not None and not task.done():
            return self._statuses[account.id]
        self._statuses[account.id] = BackfillStatus(account.id, running=True)
        self._tasks[account.id] = asyncio.create_task(
            self._run(account), name=f"chargebook-backfill-{account.id}"
        )
        return self._statuses[account.id]

    async def wait(self, account_id: int) -> None:
        """Until the account's backfill has finished (tests, shutdown)."""
        task = self._tasks.get(account_id)
        if task is not None:
            await asyncio.shield(task)

    async def aclose(self) -> None:
        """Cancel running backfills and close the clients handed to the scheduler."""
        for task in self._tasks.values():
            task.cancel()
        for task in self._tasks.values():
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await close_sources(self._scheduled)
        self._scheduled.clear()

    async def _run(self, account: WallboxAccount) -> None:
        context = self._context
        sources = build_sources(
            context.settings,
            context.database,
            context.box,
            context.clock,
            only_email=account.email,
            transport=context.wallbox_transport,
        )
        opener = book_opener(context.database, context.clock)
        engine = SyncEngine(
            opener, context.clock, SyncConfig(), progress=_Progress(self._statuses, account.id)
        )
        handed_over = False
        try:
            report = await engine.sync_account(sources[0])
            self._own_new_chargers(account)
            self._statuses[account.id] = replace(
                self._statuses[account.id],
                running=False,
                new_sessions=report.new,
                error=report.error,
                note="failed" if report.error else "complete",
                finished_at=context.clock.now(),
            )
            if context.scheduler is not None:
                schedule_account_jobs(
                    context.scheduler,
                    sources,
                    engine=SyncEngine(opener, context.clock, SyncConfig()),
                    recorder=Recorder(
                        opener,
                        context.clock,
                        reads_per_minute=context.settings.wallbox_reads_per_minute,
                    ),
                )
                self._scheduled.extend(sources)
                handed_over = True
        except Exception as exc:  # a task must never die silently
            _LOGGER.exception("backfill of account %d failed", account.id)
            self._statuses[account.id] = replace(
                self._statuses[account.id], running=False, error=type(exc).__name__
            )
        finally:
            if not handed_over:
                await close_sources(sources)

    def _own_new_chargers(self, account: WallboxAccount) -> None:
        """Chargers the sync found on the account belong to the account's owner."""
        with self._context.database.transaction() as session:
            repository = ChargerRepository(session, self._context.clock)
            for stored in repository.list(account_id=account.id):
                if stored.owner_user_id is None:
                    repository.upsert(stored.charger, owner_user_id=account.owner_user_id)
