"""The sync engine: pulls every charger's session history through the ports into the book.

Per charger: a new charger's cursor is saved first. A charger never read is read as one range,
[horizon, now) with the default window (the recent sessions and its whole history, one read
per 1,000 sessions: under Wallbox's 3 reads a minute each read costs 20 s). Later syncs read
[synced_until - overlap, now), then walk a backfill that is not complete back window by window
to the horizon. The cursor moves only after a range was read completely, and its save is
queued after the range's pages, so a run killed at any moment resumes without losing or
doubling a session. Progress is reported in reads (`SyncProgress`): one per planned range,
corrected by the pages the cloud announces (`on_page`).

Writes go through a `WriteGroup`: the pages and cursors of all accounts of one run are
committed together, a few thousand rows per transaction (see `write_group`), and at the end
of the run; what the engine queues on it is in `queued`.

No transaction is ever open across an `await`: the engine reads from the cloud, then writes
synchronously. Cancelling the engine therefore never leaves a half-written transaction;
what was queued is committed on the way out.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Sequence
from datetime import datetime

from chargebook.clock import Clock
from chargebook.domain.book import SessionEntry, SyncState
from chargebook.domain.models import Charger, ChargerSource, SessionRecord
from chargebook.domain.ports import BookOpener, SyncStateStore
from chargebook.errors import ChargebookError
from chargebook.sync.accounts import AccountSource, SyncLeases
from chargebook.sync.queued import queue_batch, queue_cursor, queue_outcome, queue_sample_links
from chargebook.sync.report import AccountReport, SyncProgress, SyncReport
from chargebook.sync.steps import RangeReads, ReadSteps, config_for, request_stats
from chargebook.sync.windows import (
    SyncConfig,
    after_backfill_window,
    first_sync_window,
    incremental_window,
    initial_state,
    next_backfill_window,
    planned_reads,
)
from chargebook.sync.write_group import WriteGroup

_LOGGER = logging.getLogger(__name__)


class SyncEngine:
    """Syncs accounts into the book; see the module docstring for the algorithm."""

    def __init__(
        self,
        open_book: BookOpener,
        clock: Clock,
        config: SyncConfig | None = None,
        *,
        progress: SyncProgress | None = None,
        leases: SyncLeases | None = None,
    ) -> None:
        """`leases`: sync an account only while holding its lease (see `SyncLeases`);
        None syncs every account it is given."""
        self._open_book = open_book
        self._clock = clock
        self.config = config or SyncConfig()
        self._progress = progress
        self._leases = leases

    async def sync_accounts(self, accounts: Sequence[AccountSource]) -> SyncReport:
        """Sync many accounts concurrently (at most `max_concurrent_accounts` at once).

        A failing account is reported and recorded, never stops the others.
        """
        limit = asyncio.Semaphore(self.config.max_concurrent_accounts)
        writes = self._write_group()

        async def one(account: AccountSource) -> AccountReport:
            async with limit:
                return await self._sync_one(account, writes)

        try:
            reports = await asyncio.gather(*(one(account) for account in accounts))
        finally:
            writes.flush()
        for report in reports:
            self._settle(report, writes)
        return SyncReport(accounts=list(reports))

    async def sync_account(self, account: AccountSource) -> AccountReport:
        """Sync every charger of one account; errors end this account and are reported.

        Retryable errors (already retried by the client) and permanent ones (wrong
        credentials) are both recorded in the book with the account and not raised.
        """
        writes = self._write_group()
        try:
            report = await self._sync_one(account, writes)
        finally:
            writes.flush()
        self._settle(report, writes)
        return report

    def _write_group(self) -> WriteGroup:
        return WriteGroup(
            self._open_book,
            max_rows=self.config.write_group_rows,
            max_delay_s=self.config.write_group_delay_s,
        )

    async def _sync_one(self, account: AccountSource, writes: WriteGroup) -> AccountReport:
        """One account under its lease when the engine has leases (else skipped)."""
        if self._leases is None:
            return await self._sync_account_now(account, writes)
        if not self._leases.try_acquire(account.account_id):
            _LOGGER.info("account %d: sync skipped (another sync of it runs)", account.account_id)
            return AccountReport(account_id=account.account_id, label=account.label)
        try:
            report = await self._sync_account_now(account, writes)
            writes.flush()  # the account's writes land before another holder may start
            return report
        finally:
            self._leases.release(account.account_id)

    async def _sync_account_now(self, account: AccountSource, writes: WriteGroup) -> AccountReport:
        """One account, its writes queued on `writes`."""
        report = AccountReport(account_id=account.account_id, label=account.label)
        steps = ReadSteps(report, self._progress)
        requests_before, retries_before = request_stats(account.cloud)
        config = config_for(account.cloud, self.config)
        try:
            if account.known_chargers is not None:
                seen = list(account.known_chargers)
            else:
                steps.add(total=1, note="listing the chargers")
                seen = await account.cloud.list_chargers()
                steps.add(done=1, note="listing the chargers")
            with self._open_book() as book:
                held = book.upsert_chargers(account.account_id, seen)
                # Another chargebook user's charger: nothing of it is read or stored through
                # this account (chargebook.domain.ownership); the report names it.
                skipped = {c.external_id for c in held}
                chargers = [c for c in seen if c.external_id not in skipped]
                states = [self._state_of(book, account.source, c.external_id) for c in chargers]
                book.commit()
            report.chargers = len(chargers)
            report.held_by_others = [c.name for c in held]
            if held:
                _LOGGER.info(
                    "account %d: %d charger(s) skipped, owned by another chargebook user",
                    account.account_id,
                    len(held),
                )
            now = self._clock.now()
            steps.add(total=sum(planned_reads(s, now, config) for s in states))
            complete = True
            for charger, state in zip(chargers, states, strict=True):
                state = await self._sync_charger(
                    account, charger, state, report, steps, writes, config
                )
                complete = complete and state.backfill_complete
            report.backfill_complete = complete
            queue_outcome(writes, account, self._clock, error=None)
        except ChargebookError as exc:
            report.error, report.error_retryable = exc.message, exc.retryable
            queue_outcome(writes, account, self._clock, error=exc.message)
        requests_after, retries_after = request_stats(account.cloud)
        report.requests = requests_after - requests_before
        report.retries = retries_after - retries_before
        steps.add(done=steps.total, note="failed" if report.error else "done")
        return report

    def _settle(self, report: AccountReport, writes: WriteGroup) -> None:
        """After the last flush: an account whose writes were lost failed (and says why)."""
        failure = writes.failure(report.account_id)
        if failure is None:
            return
        if not isinstance(failure, ChargebookError):
            raise failure  # a bug, not a condition: as loud as an unqueued write would be
        if report.error is None:
            report.error, report.error_retryable = failure.message, failure.retryable
        with self._open_book() as book:
            book.record_account_outcome(report.account_id, at=self._clock.now(), error=report.error)
            book.commit()

    def _state_of(self, book: SyncStateStore, source: ChargerSource, charger_id: str) -> SyncState:
        state = book.load_sync_state(source, charger_id)
        if state is None:
            state = initial_state(charger_id, self._clock.now())
            book.save_sync_state(source, state)
        return state

    async def _sync_charger(
        self,
        account: AccountSource,
        charger: Charger,
        state: SyncState,
        report: AccountReport,
        steps: ReadSteps,
        writes: WriteGroup,
        config: SyncConfig,
    ) -> SyncState:
        try:
            now = self._clock.now()
            first = first_sync_window(state, now, config)
            if first is not None:
                # Nothing read yet: the recent sessions and the first backfill window are
                # one read (one page per 1,000 sessions), not two.
                reads = steps.reading(f"{charger.name}: history")
                found = await self._read_window(account, charger, *first, report, writes, reads)
                state = after_backfill_window(state, first[0], found, now, config)
                state = dataclasses.replace(state, synced_until=now)
                state = queue_cursor(writes, account, state, self._clock)
            else:
                start, end = incremental_window(state, now, config)
                reads = steps.reading(f"{charger.name}: recent sessions")
                await self._read_window(account, charger, start, end, report, writes, reads)
                state = dataclasses.replace(state, synced_until=end)
                state = queue_cursor(writes, account, state, self._clock)
            while (window := next_backfill_window(state, self._clock.now(), config)) is not None:
                reads = steps.reading(f"{charger.name}: history to {window[0].date()}")
                found = await self._read_window(account, charger, *window, report, writes, reads)
                state = after_backfill_window(state, window[0], found, self._clock.now(), config)
                state = queue_cursor(writes, account, state, self._clock)
        except ChargebookError as exc:
            failed = dataclasses.replace(
                state,
                last_error=exc.message,
                last_error_at=self._clock.now(),
                consecutive_failures=state.consecutive_failures + 1,
            )
            queue_cursor(writes, account, failed, self._clock, success=False)
            raise

        queue_sample_links(writes, account, charger, report)
        return state

    async def _read_window(
        self,
        account: AccountSource,
        charger: Charger,
        start: datetime,
        end: datetime,
        report: AccountReport,
        writes: WriteGroup,
        reads: RangeReads,
    ) -> int:
        """Read [start, end) completely, queueing every batch; returns the records read."""
        writes.check(account.account_id)  # the account's writes failed: read no further
        seen: dict[str, SessionEntry] = {}
        batch: list[SessionRecord] = []
        found = 0
        records = account.cloud.iter_sessions(
            charger.external_id, start=start, end=end, on_page=reads.page
        )
        async for record in records:
            batch.append(record)
            found += 1
            if len(batch) >= self.config.batch_size:
                queue_batch(writes, account, batch, charger, seen, report, self._clock)
                batch = []
        if batch:
            queue_batch(writes, account, batch, charger, seen, report, self._clock)
        reads.finish()
        return found
