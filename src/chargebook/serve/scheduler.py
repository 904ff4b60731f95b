"""The scheduler of `chargebook serve`: on its own event loop in its own thread, with the
account jobs kept in step with the book.

Why a thread: the sync engine and the recorder write to the book through the synchronous
database layer between their awaits. On the app's event loop each such write, and every wait
for SQLite's write lock while a request holds it, would stall all requests (and a request
that holds the lock could never finish: a deadlock until the busy timeout). The wizard's
backfill runs the same way (`serve.backfill`).

Which accounts: the `accounts` job re-reads the enabled myWallbox accounts every
`web_accounts_check_s` (60 s) and whenever `refresh()` is called (the wizard does when a
backfill ends). A new account gets its sync and recorder jobs
(`jobs.book_jobs.schedule_account_jobs`); a removed or disabled one loses them (a run in
progress is cancelled) and its HTTP client is closed. An account whose backfill is still
running waits for it; and a sync of an account runs only while it holds the account's lease
(`AccountLeases`, shared with the backfills, given to the engine as its `leases`): a turn
that finds the lease taken is skipped, so two syncs of one account never run at once.

The engine's steps come from the settings (`account_sources.sync_config`), as the worker's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from chargebook.account_sources import (
    build_sources,
    close_sources,
    recorder_reads_per_minute,
    sync_config,
)
from chargebook.brand_connectors import build_brand_sources, enabled_brand_accounts
from chargebook.db import WallboxAccountRepository
from chargebook.db.book.store import book_opener
from chargebook.domain.account_keys import is_brand_account
from chargebook.errors import ChargebookError
from chargebook.jobs import Job, Scheduler
from chargebook.jobs.book_jobs import SYNC_INTERVAL_S, schedule_account_jobs
from chargebook.serve.parts import RuntimeParts
from chargebook.sync import AccountSource, SyncEngine
from chargebook.sync.recorder import Recorder

_LOGGER = logging.getLogger(__name__)

ACCOUNT_JOB_NAMES = ("sync", "record")


class AccountLeases:
    """One lease per account, held by whoever syncs it (backfill thread or scheduler); the
    engine's `SyncLeases`."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._held: set[int] = set()

    def try_acquire(self, account_id: int) -> bool:
        """Take the account's lease if it is free (never waits)."""
        with self._guard:
            if account_id in self._held:
                return False
            self._held.add(account_id)
            return True

    def release(self, account_id: int) -> None:
        with self._guard:
            self._held.discard(account_id)

    @contextlib.contextmanager
    def hold(self, account_id: int, *, poll_s: float = 0.05) -> Iterator[None]:
        """Wait (blocking: call it on a worker thread) for the lease and hold it."""
        while not self.try_acquire(account_id):
            time.sleep(poll_s)
        try:
            yield
        finally:
            self.release(account_id)


class AccountJobs:
    """Adds and removes the per-account jobs of `scheduler` (runs on the scheduler's loop)."""

    def __init__(
        self,
        parts: RuntimeParts,
        scheduler: Scheduler,
        *,
        busy: Callable[[int], bool],
        leases: AccountLeases,
        synced_at: Callable[[int], datetime | None] = lambda _account_id: None,
    ) -> None:
        self._parts = parts
        self._scheduler = scheduler
        self._busy = busy
        self._synced_at = synced_at
        self._sources: dict[int, AccountSource] = {}
        self._lock = asyncio.Lock()  # a refresh and the periodic check never interleave
        opener = book_opener(parts.database, parts.clock)
        self._engine = SyncEngine(opener, parts.clock, sync_config(parts.settings), leases=leases)
        self._recorder = Recorder(
            opener, parts.clock, reads_per_minute=recorder_reads_per_minute(parts.settings)
        )

    @property
    def account_ids(self) -> set[int]:
        """The accounts that have jobs now."""
        return set(self._sources)

    @property
    def engine(self) -> SyncEngine:
        """The sync engine of every account's sync job."""
        return self._engine

    async def reconcile(self) -> None:
        """Schedule new enabled accounts, unschedule removed and disabled ones."""
        async with self._lock:
            enabled = self._enabled()
            for account_id in sorted(set(self._sources) - set(enabled)):
                for name in ACCOUNT_JOB_NAMES:
                    self._scheduler.remove(name, str(account_id))
                await close_sources([self._sources.pop(account_id)])
                _LOGGER.info("account %d: jobs stopped (removed or disabled)", account_id)
            for account_id, email in sorted(enabled.items()):
                if account_id in self._sources:
                    self._postpone_sync(account_id)  # scheduled before its backfill ended
                    continue
                if self._busy(account_id):
                    continue
                try:
                    sources = self._build(account_id, email)
                except ChargebookError as error:  # e.g. the secret key cannot decrypt it
                    _LOGGER.warning("account %d not scheduled: %s", account_id, error)
                    continue
                schedule_account_jobs(
                    self._scheduler,
                    sources,
                    engine=self._engine,
                    recorder=self._recorder,
                    sync_first_delay_s=self._first_sync_delay_s(account_id),
                )
                self._sources[account_id] = sources[0]
                _LOGGER.info("account %d: sync and recorder jobs scheduled", account_id)

    def _postpone_sync(self, account_id: int) -> None:
        synced_at = self._synced_at(account_id)
        if synced_at is not None:
            until = synced_at + timedelta(seconds=SYNC_INTERVAL_S)
            self._scheduler.postpone("sync", str(account_id), until)

    def _first_sync_delay_s(self, account_id: int) -> float:
        """A periodic sync right after the backfill would re-read what it just read: the
        first one comes a sync interval after the backfill."""
        synced_at = self._synced_at(account_id)
        if synced_at is None:
            return 0.0
        age_s = (self._parts.clock.now() - synced_at).total_seconds()
        return max(0.0, SYNC_INTERVAL_S - age_s)

    async def aclose(self) -> None:
        """Close the HTTP clients of every scheduled account."""
        await close_sources(list(self._sources.values()))
        self._sources.clear()

    def _enabled(self) -> dict[int, str]:
        """The enabled accounts by key (`domain.account_keys`): myWallbox and brand ones."""
        parts = self._parts
        with parts.database.session() as session:
            accounts = WallboxAccountRepository(session, parts.box, parts.clock).list(
                include_disabled=False
            )
        enabled = {account.id: account.email for account in accounts}
        for brand in enabled_brand_accounts(
            parts.database, parts.box, parts.clock, registry=parts.brands
        ):
            enabled[brand.key] = brand.username
        return enabled

    def _build(self, account_id: int, email: str) -> list[AccountSource]:
        parts = self._parts
        if is_brand_account(account_id):
            return build_brand_sources(
                parts.settings,
                parts.database,
                parts.box,
                parts.clock,
                registry=parts.brands,
                only_key=account_id,
            )
        return build_sources(
            parts.settings,
            parts.database,
            parts.box,
            parts.clock,
            only_email=email,
            transport=parts.wallbox_transport,
            budgets=parts.budgets,
        )


class SchedulerThread:
    """A `Scheduler` with the account jobs, running on its own loop in a daemon thread.

    `start()` and `stop()` are called from the app's loop; `refresh()` and `run_soon()` from
    any thread.
    """

    def __init__(
        self,
        parts: RuntimeParts,
        *,
        busy: Callable[[int], bool] = lambda _account_id: False,
        leases: AccountLeases | None = None,
        synced_at: Callable[[int], datetime | None] = lambda _account_id: None,
    ) -> None:
        self._parts = parts
        self._busy = busy
        self._synced_at = synced_at
        self._leases = leases or AccountLeases()
        self._check_interval_s = parts.settings.web_accounts_check_s
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, name="chargebook-scheduler", daemon=True)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._scheduler: Scheduler | None = None
        self._accounts: AccountJobs | None = None
        self._pending: set[asyncio.Task[None]] = set()

    @property
    def jobs(self) -> list[Job]:
        """The scheduled jobs (a snapshot)."""
        return self._scheduler.jobs if self._scheduler is not None else []

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        """The scheduler's own event loop (None before `start`)."""
        return self._loop

    @property
    def account_ids(self) -> set[int]:
        """The accounts that have sync and recorder jobs now."""
        return self._accounts.account_ids if self._accounts is not None else set()

    @property
    def engine(self) -> SyncEngine | None:
        """The sync engine of the account jobs (None before `start`)."""
        return self._accounts.engine if self._accounts is not None else None

    async def start(self, timeout_s: float = 10.0) -> None:
        """Start the thread; returns once the scheduler runs.

        Raises:
            RuntimeError: the thread did not come up within `timeout_s`.
        """
        self._thread.start()
        if not await asyncio.to_thread(self._ready.wait, timeout_s):
            raise RuntimeError("the scheduler thread did not start")

    async def stop(self) -> None:
        """Stop the scheduler (running jobs get its grace period) and wait for the thread."""
        if self._loop is not None and self._scheduler is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._scheduler.stop)
        await asyncio.to_thread(self._thread.join)

    def refresh(self) -> None:
        """Re-read the accounts now (new ones get jobs, removed ones lose them)."""
        self._soon(self._reconcile_now)

    def run_soon(self, name: str, key: str) -> None:
        """Make the job `name` of account `key` due now (e.g. "sync now")."""
        self._soon(lambda: self._scheduler.trigger(name, key) if self._scheduler else None)

    def _soon(self, callback: Callable[[], object]) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(callback)

    def _reconcile_now(self) -> None:
        if self._accounts is not None:
            task = asyncio.get_running_loop().create_task(self._accounts.reconcile())
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    def _main(self) -> None:
        try:
            asyncio.run(self._run())
        except Exception:  # the thread must never die silently
            _LOGGER.exception("the scheduler thread failed")
        finally:
            self._ready.set()

    async def _run(self) -> None:
        scheduler = Scheduler(self._parts.clock)
        accounts = AccountJobs(
            self._parts,
            scheduler,
            busy=self._busy,
            leases=self._leases,
            synced_at=self._synced_at,
        )
        scheduler.add(
            Job(name="accounts", key="*", run=accounts.reconcile, interval_s=self._check_interval_s)
        )
        self._loop = asyncio.get_running_loop()
        self._scheduler, self._accounts = scheduler, accounts
        self._ready.set()
        try:
            await scheduler.run()
        finally:
            for task in list(self._pending):
                task.cancel()
            await asyncio.gather(*self._pending, return_exceptions=True)
            await accounts.aclose()
