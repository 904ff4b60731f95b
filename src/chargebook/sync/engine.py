"""The sync engine: pulls every charger's session history through the ports into the book.

Per charger: a new charger's cursor is saved first; then an incremental read of
[synced_until - overlap, now); then the backfill walks back window by window to the horizon.
Every batch of records is its own transaction, and the cursor moves only after a window was
read completely and its batches were committed, so a run killed at any moment resumes without
losing or doubling a session.

Transactions go through a `BookWriter`, one at a time and in order: inline on the event loop
by default, or (`SyncConfig.write_on_thread`) on a writer thread, where a page is written while
the next one is checked and other accounts are read. Either way at most one page of a window
is in flight and its cursor is saved only after awaiting it; no transaction is open across an
`await` of the engine, and cancelling lets the transaction in flight end (committed or rolled
back), never leaving one half-written.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from chargebook.clock import Clock
from chargebook.domain.book import SessionEntry, SyncState, UpsertPlan
from chargebook.domain.models import Charger, ChargerSource, SessionRecord
from chargebook.domain.ports import (
    BookOpener,
    BookTransaction,
    ChargerCloud,
    EntryEncoder,
    RequestStats,
    SyncStateStore,
)
from chargebook.errors import ChargebookError
from chargebook.sync.book_writer import BookWriter, PageQueue
from chargebook.sync.planning import plan_upsert
from chargebook.sync.report import AccountReport, SyncProgress, SyncReport
from chargebook.sync.validation import charger_limits, check_record
from chargebook.sync.windows import (
    SyncConfig,
    after_backfill_window,
    incremental_window,
    initial_state,
    next_backfill_window,
    remaining_backfill_windows,
)


@dataclass(frozen=True, slots=True)
class AccountSource:
    """One cloud account to sync: its book id, a label for reports (e-mail) and its client."""

    account_id: int
    label: str
    cloud: ChargerCloud
    source: ChargerSource = ChargerSource.WALLBOX_CLOUD


class _Steps:
    def __init__(self, report: AccountReport, progress: SyncProgress | None) -> None:
        self.report, self.progress, self.done, self.total = report, progress, 0, 0

    def add(self, total: int = 0, done: int = 0, note: str = "") -> None:
        self.total += total
        self.done = min(self.total, self.done + done)
        if self.progress is not None:
            self.progress.update(self.report.label, done=self.done, total=self.total, note=note)


class SyncEngine:
    """Syncs accounts into the book; see the module docstring for the algorithm."""

    def __init__(
        self,
        open_book: BookOpener,
        clock: Clock,
        config: SyncConfig | None = None,
        *,
        progress: SyncProgress | None = None,
    ) -> None:
        self._open_book = open_book
        self._clock = clock
        self.config = config or SyncConfig()
        # With a writer thread, a store that can encode entries ahead of its transactions
        # (`EntryEncoder`) gets that done on the event loop while the page before is written;
        # inline it would only add the copy of every entry.
        threaded = self.config.write_on_thread
        self._encoder = open_book if threaded and isinstance(open_book, EntryEncoder) else None
        self._progress = progress

    async def sync_accounts(self, accounts: Sequence[AccountSource]) -> SyncReport:
        """Sync many accounts concurrently (at most `max_concurrent_accounts` at once).

        A failing account is reported and recorded, never stops the others. The accounts
        share one writer thread, so their transactions never compete for a lock.
        """
        limit = asyncio.Semaphore(self.config.max_concurrent_accounts)
        with BookWriter(self._open_book, thread=self.config.write_on_thread) as writer:

            async def one(account: AccountSource) -> AccountReport:
                async with limit:
                    return await self._sync_account(account, writer)

            tasks = [asyncio.ensure_future(one(account)) for account in accounts]
            try:
                reports = await asyncio.gather(*tasks)
            except BaseException:
                # An unexpected error (not a ChargebookError): stop the other accounts before
                # the writer closes, so none of them queues a transaction on a closed writer.
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                raise
        return SyncReport(accounts=list(reports))

    async def sync_account(self, account: AccountSource) -> AccountReport:
        """Sync every charger of one account; errors end this account and are reported.

        Retryable errors (already retried by the client) and permanent ones (wrong
        credentials) are both recorded in the book with the account and not raised.
        """
        with BookWriter(self._open_book, thread=self.config.write_on_thread) as writer:
            return await self._sync_account(account, writer)

    async def _sync_account(self, account: AccountSource, writer: BookWriter) -> AccountReport:
        report = AccountReport(account_id=account.account_id, label=account.label)
        steps = _Steps(report, self._progress)
        requests_before, retries_before = _request_stats(account.cloud)
        try:
            chargers = await account.cloud.list_chargers()
            report.chargers = len(chargers)

            def register(book: BookTransaction) -> list[SyncState]:
                book.upsert_chargers(account.account_id, chargers)
                return [self._state_of(book, account.source, c.external_id) for c in chargers]

            states = await writer.run(register)
            now = self._clock.now()
            steps.add(
                total=sum(1 + remaining_backfill_windows(s, now, self.config) for s in states)
            )
            complete = True
            for charger, state in zip(chargers, states, strict=True):
                state = await self._sync_charger(writer, account, charger, state, report, steps)
                complete = complete and state.backfill_complete
            report.backfill_complete = complete
            await self._record_outcome(writer, account, error=None)
        except ChargebookError as exc:
            report.error, report.error_retryable = exc.message, exc.retryable
            await self._record_outcome(writer, account, error=exc.message)
        requests_after, retries_after = _request_stats(account.cloud)
        report.requests = requests_after - requests_before
        report.retries = retries_after - retries_before
        steps.add(done=steps.total, note="failed" if report.error else "done")
        return report

    def _state_of(self, book: SyncStateStore, source: ChargerSource, charger_id: str) -> SyncState:
        state = book.load_sync_state(source, charger_id)
        if state is None:
            state = initial_state(charger_id, self._clock.now())
            book.save_sync_state(source, state)
        return state

    async def _sync_charger(
        self,
        writer: BookWriter,
        account: AccountSource,
        charger: Charger,
        state: SyncState,
        report: AccountReport,
        steps: _Steps,
    ) -> SyncState:
        try:
            now = self._clock.now()
            start, end = incremental_window(state, now, self.config)
            await self._read_window(writer, account, charger, start, end, report)
            state = await self._save(writer, account, dataclasses.replace(state, synced_until=end))
            steps.add(done=1, note=f"{charger.name}: recent sessions")
            while (
                window := next_backfill_window(state, self._clock.now(), self.config)
            ) is not None:
                found = await self._read_window(writer, account, charger, *window, report)
                state = after_backfill_window(
                    state, window[0], found, self._clock.now(), self.config
                )
                state = await self._save(writer, account, state)
                steps.add(done=1, note=f"{charger.name}: history to {window[0].date()}")
        except ChargebookError as exc:
            failed = dataclasses.replace(
                state,
                last_error=exc.message,
                last_error_at=self._clock.now(),
                consecutive_failures=state.consecutive_failures + 1,
            )
            await self._save(writer, account, failed, success=False)
            raise
        report.samples_linked += await writer.run(
            lambda book: book.link_samples(account.source, charger.external_id)
        )
        return state

    async def _read_window(
        self,
        writer: BookWriter,
        account: AccountSource,
        charger: Charger,
        start: datetime,
        end: datetime,
        report: AccountReport,
    ) -> int:
        """Read [start, end) completely and commit every batch; returns the records read.

        Returns only after the window's last batch was committed (the caller then saves the
        cursor). A batch is checked while the one before it is still being written.
        """
        max_current_a, phases = charger_limits(charger)
        pages: PageQueue[UpsertPlan] = PageQueue(writer, functools.partial(_count, report))
        seen: dict[str, SessionEntry] = {}
        batch: list[SessionRecord] = []
        found = 0

        async def flush() -> None:
            entries = [check_record(r, max_current_a=max_current_a, phases=phases) for r in batch]
            if self._encoder is not None:
                entries = self._encoder.encode_entries(entries)
            await pages.put(functools.partial(_upsert_page, entries, seen))

        try:
            async for record in account.cloud.iter_sessions(
                charger.external_id, start=start, end=end
            ):
                batch.append(record)
                found += 1
                if len(batch) >= self.config.batch_size:
                    await flush()
                    batch = []
            if batch:
                await flush()
            await pages.drain()
        except BaseException:
            await pages.abandon()
            raise
        return found

    async def _save(
        self,
        writer: BookWriter,
        account: AccountSource,
        state: SyncState,
        *,
        success: bool = True,
    ) -> SyncState:
        if success:
            state = dataclasses.replace(
                state, last_success_at=self._clock.now(), last_error=None, consecutive_failures=0
            )
        saved = state
        await writer.run(lambda book: book.save_sync_state(account.source, saved))
        return state

    async def _record_outcome(
        self, writer: BookWriter, account: AccountSource, *, error: str | None
    ) -> None:
        at = self._clock.now()
        await writer.run(
            lambda book: book.record_account_outcome(account.account_id, at=at, error=error)
        )


def _count(report: AccountReport, plan: UpsertPlan) -> None:
    report.new += len(plan.inserts)
    report.changed += len(plan.changes)
    report.unchanged += plan.unchanged
    report.quarantined += plan.quarantined


def _upsert_page(
    entries: Sequence[SessionEntry], seen: dict[str, SessionEntry], book: BookTransaction
) -> UpsertPlan:
    # Runs on the writer thread; `seen` belongs to one window, whose pages run in order.
    existing = book.find_sessions(entries[0].source, {entry.external_id for entry in entries})
    plan = plan_upsert(entries, existing, seen)
    book.apply_upsert(plan)
    return plan


def _request_stats(cloud: ChargerCloud) -> tuple[int, int]:
    if isinstance(cloud, RequestStats):
        return cloud.request_count, cloud.retry_count
    return 0, 0
