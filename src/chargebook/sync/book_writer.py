"""One thread that runs the sync engine's book transactions, in order, off the event loop.

The engine's Python work per page (validation, canonical JSON, sha256) and the database's
work per page (lookup, INSERT, commit) used to alternate on one thread. Database drivers
release the GIL while the database works (Python's sqlite3 around every `sqlite3_step` and
commit, psycopg while it waits for the server), so with the transactions on a thread of their
own the next page is checked while the previous one is written: two cores in use instead of one.

Guarantees the engine relies on:
- one transaction at a time, in submission order (FIFO on a single worker thread), so a
  charger's cursor saved after awaiting its pages is committed after them; on SQLite the
  writes of concurrently synced accounts never compete for the write lock;
- a transaction runs start to commit on the writer thread; nothing is ever open across an
  `await` of the event loop;
- an error raised in a transaction (or its commit) is re-raised by `await` in the caller,
  with the transaction rolled back by the `BookOpener`;
- `close()` cancels what has not started and waits for the transaction in flight, which
  ends committed or rolled back; a cancelled caller also waits for its transaction to end.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Generic, TypeVar

from chargebook.domain.ports import BookOpener, BookTransaction

T = TypeVar("T")


class BookWriter:
    """Runs `work(book)` + commit as one transaction each, one at a time, on a worker thread."""

    def __init__(self, open_book: BookOpener, *, thread: bool = True) -> None:
        """`thread=False` runs each transaction inline when submitted, on the caller's thread
        (no overlap; for event loops on a virtual clock, where time must not pass unseen)."""
        self._open_book = open_book
        self._executor = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="chargebook-book")
            if thread
            else None
        )

    def submit(self, work: Callable[[BookTransaction], T]) -> PendingTransaction[T]:
        """Queue one transaction: `work(book)` then commit. Call on the event loop thread;
        `await pending.result()` gives `work`'s result once committed, or raises what `work`
        or the commit raised (the transaction then rolled back)."""
        if self._executor is not None:
            return PendingTransaction(self._executor.submit(self._transaction, work))
        done: Future[T] = Future()
        try:
            done.set_result(self._transaction(work))
        except BaseException as exc:  # like the executor: re-raised by `result()`
            done.set_exception(exc)
        return PendingTransaction(done)

    async def run(self, work: Callable[[BookTransaction], T]) -> T:
        """`submit(work)` and wait for its commit."""
        return await self.submit(work).result()

    def _transaction(self, work: Callable[[BookTransaction], T]) -> T:
        with self._open_book() as book:
            result = work(book)
            book.commit()
        return result

    def close(self) -> None:
        """Drop queued transactions not yet started; wait for the one in flight to end."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> BookWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class PendingTransaction(Generic[T]):
    """A transaction queued on a `BookWriter`."""

    def __init__(self, future: Future[T]) -> None:
        self._future = future

    def done(self) -> bool:
        """Whether the transaction has ended (committed, rolled back or dropped)."""
        return self._future.done()

    async def result(self) -> T:
        """Wait for the commit and return `work`'s result; re-raises its error.

        If the caller is cancelled meanwhile, the transaction is dropped when it has not
        started, else it is first allowed to end (committed or rolled back); then the
        cancellation goes on. So a cancelled sync never returns while its page is still being
        written, and its bookkeeping never runs for a page it did not see end.
        """
        if self._future.done():  # an inline writer: no suspension, as before the writer
            return self._future.result()
        waitable = asyncio.wrap_future(self._future)
        try:
            return await asyncio.shield(waitable)
        except asyncio.CancelledError:
            if not self._future.cancel():  # running (or ended): cannot be stopped, wait
                await asyncio.wait([waitable])
            raise

    async def ended(self) -> T | None:
        """Wait until the transaction has ended, never raising: `work`'s result if it was
        committed, None if it failed or was dropped (its error stays with `result()`)."""
        if not self._future.done():
            await asyncio.wait([asyncio.wrap_future(self._future)])
        if self._future.cancelled() or self._future.exception() is not None:
            return None
        return self._future.result()


class PageQueue(Generic[T]):
    """The pages of one read on a writer: at most one in flight (a pipeline of depth 1).

    `put` waits for the page before to commit, so the caller checks the next page while the
    previous one is written; each committed page's result goes to `on_done` once, in order.
    """

    def __init__(self, writer: BookWriter, on_done: Callable[[T], None]) -> None:
        self._writer = writer
        self._on_done = on_done
        self._pending: PendingTransaction[T] | None = None

    async def put(self, work: Callable[[BookTransaction], T]) -> None:
        """Wait for the page in flight to commit (raising its error), then queue `work`."""
        await self.drain()
        self._pending = self._writer.submit(work)

    async def drain(self) -> None:
        """Wait for the page in flight to commit; raises its error."""
        pending, self._pending = self._pending, None
        if pending is not None:
            self._on_done(await pending.result())

    async def abandon(self) -> None:
        """On an error elsewhere: let the page in flight end and hand it on if it committed."""
        pending, self._pending = self._pending, None
        if pending is not None:
            committed = await pending.ended()
            if committed is not None:
                self._on_done(committed)
