"""One thread that runs the sync engine's book transactions, in order, off the event loop.

The engine's Python work per page (validation, canonical JSON, sha256) and the database's
work per page (lookup, INSERT, commit) used to alternate on one thread. Database drivers
release the GIL while the database works (Python's sqlite3 around every `sqlite3_step` and
commit, psycopg while it waits for the server), so with the transactions on a thread of their
own the next page is checked while the previous one is written. Measured on SQLite (2 cores,
bench/README.md, Ingest) it did not pay: the driver takes the GIL back after every statement,
which waits up to the interpreter's switch interval (5 ms) while the event loop runs Python.
So the engine uses the thread only when asked (`SyncConfig.write_on_thread`); inline
(`thread=False`) the same guarantees hold without overlap or shared commits.

Guarantees the engine relies on:
- works run one transaction at a time, in submission order (FIFO on a single worker thread),
  so a charger's cursor saved after awaiting its pages is committed after them; on SQLite the
  writes of concurrently synced accounts never compete for the write lock;
- works queued together (up to `MAX_GROUP`) share one transaction and one commit: a commit
  writes each database page it changed once, and the pages of an index are changed by many
  works. All of a group commits or none does; when it fails, each work runs again alone, so
  only the failing one reports an error. A work must therefore give the same result when run
  again after a rollback (the engine's do: they plan from what the book holds);
- a transaction runs start to commit on the writer thread; nothing is ever open across an
  `await` of the event loop;
- an error raised in a work (or its commit) is re-raised by `await` in the caller, with the
  transaction rolled back by the `BookOpener`;
- `close()` drops queued works not yet started and waits for the transaction in flight, which
  ends committed or rolled back; a cancelled caller also waits for its transaction to end.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from types import TracebackType
from typing import Any, Generic, TypeVar

from chargebook.domain.ports import BookOpener, BookTransaction

T = TypeVar("T")

# At most this many queued works share one commit.
MAX_GROUP = 8


class BookWriter:
    """Runs `work(book)` + commit transactions one at a time, in order, on a worker thread."""

    def __init__(
        self, open_book: BookOpener, *, thread: bool = True, max_group: int = MAX_GROUP
    ) -> None:
        """`thread=False` runs each transaction inline when submitted, on the caller's thread
        (no overlap; for event loops on a virtual clock, where time must not pass unseen).
        `max_group` bounds how many queued works share one commit (1: never)."""
        self._open_book = open_book
        self._max_group = max(1, max_group)
        self._queue: queue.SimpleQueue[_Work[Any] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        if thread:
            self._thread = threading.Thread(target=self._serve, name="chargebook-book-writer")
            self._thread.start()

    def submit(self, work: Callable[[BookTransaction], T]) -> PendingTransaction[T]:
        """Queue `work(book)` for a transaction. Call on the event loop thread;
        `await pending.result()` gives `work`'s result once committed, or raises what `work`
        or the commit raised (its transaction then rolled back)."""
        item = _Work(work)
        if self._thread is None:
            item.start()
            self._run_group([item])
        elif self._stopped:
            raise RuntimeError("the book writer is closed")
        else:
            self._queue.put(item)
        return PendingTransaction(item.future)

    async def run(self, work: Callable[[BookTransaction], T]) -> T:
        """`submit(work)` and wait for its commit."""
        return await self.submit(work).result()

    _stopped = False

    def close(self) -> None:
        """Drop queued works not yet started; wait for the transaction in flight to end."""
        if self._thread is None or self._stopped:
            return
        self._stopped = True
        self._queue.put(None)
        self._thread.join()

    def _serve(self) -> None:
        while (first := self._queue.get()) is not None:
            group = [first]
            stop = False
            while len(group) < self._max_group:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                group.append(item)
            if self._stopped:  # closing: what has not started is dropped
                for item in group:
                    item.future.cancel()
            else:
                self._run_group([item for item in group if item.start()])
            if stop:
                break
        while not self._queue.empty():  # submitted after close: dropped
            if (item := self._queue.get_nowait()) is not None:
                item.future.cancel()

    def _run_group(self, group: list[_Work[Any]]) -> None:
        # Works queued together share one transaction and one commit: a commit writes every
        # page it changed to the log once, and a page of index entries is changed by many
        # works (on SQLite the (started_at, id) index of a 200,000-session book took about as
        # many log pages per commit as the rows themselves). If the shared transaction
        # fails, it rolled back as a whole, and each work runs again in one of its own, so
        # only the failing work reports its error.
        if len(group) == 1:
            group[0].run_alone(self._open_book)
            return
        try:
            with self._open_book() as book:
                results = [item.work(book) for item in group]
                book.commit()
        except Exception:
            for item in group:
                item.run_alone(self._open_book)
            return
        except BaseException as exc:  # KeyboardInterrupt, SystemExit: no second attempt
            for item in group:
                item.future.set_exception(exc)
            return
        for item, result in zip(group, results, strict=True):
            item.future.set_result(result)

    def __enter__(self) -> BookWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class _Work(Generic[T]):
    """One submitted work and the future of its result."""

    def __init__(self, work: Callable[[BookTransaction], T]) -> None:
        self.work = work
        self.future: Future[T] = Future()

    def start(self) -> bool:
        """Mark as running; False if it was cancelled before (then it must not run)."""
        return self.future.set_running_or_notify_cancel()

    def run_alone(self, open_book: BookOpener) -> None:
        """Run in a transaction of its own; the outcome goes to the future."""
        try:
            with open_book() as book:
                result = self.work(book)
                book.commit()
        except BaseException as exc:  # re-raised by `PendingTransaction.result()`
            self.future.set_exception(exc)
        else:
            self.future.set_result(result)


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
