"""Writes of concurrent sync tasks, committed together: one transaction per few thousand rows.

Why: a page of new sessions puts a random leaf of the book's (source, external id) and
(started_at) indexes into every session's path, and SQLite's WAL copies each dirty page again
at every commit. Committing five pages at once instead of one writes most of those leaves once
instead of five times (the 200,000-session ingest benchmark wrote 2 GB for a 233 MB book).

How: every write is queued with its account and applied, in order, at the next flush: when
`max_rows` rows are queued, `max_delay_s` after the first write of a group was queued (so a
slow network sync still commits within that delay), or when the caller flushes at the end of
a sync. Nothing holds the database while writes wait: a transaction lives only inside
`flush`. What a write changes in memory (report counters) happens only after its transaction
committed, through the callback the write returns.

Resumability is unchanged: an account's cursor saves are queued after the pages they cover,
so a crash loses whole queued writes, never a page under a moved cursor.

Failures stay with their account: if a group's transaction fails, each account's writes are
tried again in a transaction of their own. An account whose writes still fail keeps the error
(`check` raises it) and every later write of that account is dropped, since committing a
cursor over pages that were rolled back would lose them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from chargebook.domain.ports import BookOpener, BookTransaction

# A write applies itself to an open transaction and may return what to do once it committed.
AfterCommit = Callable[[], None]
Write = Callable[[BookTransaction], AfterCommit | None]


@dataclass(frozen=True, slots=True)
class _Queued:
    account_id: int
    write: Write


class WriteGroup:
    """Queues the writes of many accounts and commits them together (see the module doc)."""

    def __init__(self, open_book: BookOpener, *, max_rows: int, max_delay_s: float) -> None:
        self._open_book = open_book
        self._max_rows = max_rows
        self._max_delay_s = max_delay_s
        self._queue: list[_Queued] = []
        self._rows = 0
        self._timer: asyncio.TimerHandle | None = None
        self._failures: dict[int, Exception] = {}

    def add(self, account_id: int, write: Write, *, rows: int = 1) -> None:
        """Queue `write` (about `rows` rows) for `account_id`; dropped if the account failed."""
        if account_id in self._failures:
            return
        self._queue.append(_Queued(account_id, write))
        self._rows += max(rows, 1)
        if self._rows >= self._max_rows:
            self.flush()
        elif self._timer is None:
            self._timer = _call_later(self._max_delay_s, self.flush)

    def failure(self, account_id: int) -> Exception | None:
        """The error that lost `account_id`'s queued writes, if any did."""
        return self._failures.get(account_id)

    def check(self, account_id: int) -> None:
        """Raise the error that lost `account_id`'s writes (so the account stops reading)."""
        error = self._failures.get(account_id)
        if error is not None:
            raise error

    def flush(self) -> None:
        """Commit everything queued; an account whose writes fail keeps its error."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        queued, self._queue, self._rows = self._queue, [], 0
        if not queued:
            return
        try:
            self._commit(queued)
        except Exception as exc:
            by_account: dict[int, list[_Queued]] = {}
            for item in queued:
                by_account.setdefault(item.account_id, []).append(item)
            if len(by_account) == 1:
                self._failures[queued[0].account_id] = exc
                return
            for account_id, items in by_account.items():
                try:
                    self._commit(items)
                except Exception as account_exc:
                    self._failures[account_id] = account_exc

    def _commit(self, queued: list[_Queued]) -> None:
        with self._open_book() as book:
            after = [item.write(book) for item in queued]
            book.commit()
        for done in after:
            if done is not None:
                done()


def _call_later(delay_s: float, callback: Callable[[], None]) -> asyncio.TimerHandle | None:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # no event loop: the caller flushes
        return None
    return loop.call_later(delay_s, callback)
