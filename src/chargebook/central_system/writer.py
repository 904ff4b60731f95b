"""Group commit for the central system: handlers await small book operations, which a single
writer thread applies in batches, one database transaction per batch.

Thousands of chargers each sending MeterValues every few seconds would otherwise pay one
commit (and, on SQLite, one write lock) per frame. A handler still gets its answer only after
its operation is committed, so a charger never drops a frame the book does not hold.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

from chargebook.clock import Clock
from chargebook.db import Database
from chargebook.db.ocpp.batch import run_ocpp_batch
from chargebook.db.ocpp.transactions import OpenTransactions
from chargebook.domain.ports import OcppBook

T = TypeVar("T")
_MAX_BATCH = 500

_Job = tuple[Callable[[OcppBook], Any], "asyncio.Future[Any]"]


class BookWriter:
    """Serialises book operations through one worker task and a one-thread executor."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock
        self._queue: asyncio.Queue[_Job] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        # Only the writer thread touches these two (see `chargebook.db.ocpp.book`).
        self._charger_ids: dict[str, int] = {}
        self._open_transactions = OpenTransactions()
        self._cache_stale = False

    def start(self) -> None:
        """Start the worker task on the running loop (idempotent)."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._work(), name="ocpp-book-writer")

    async def stop(self) -> None:
        """Finish the queued operations, then stop the worker."""
        if self._task is None:
            return
        await self._queue.join()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def run(self, operation: Callable[[OcppBook], T]) -> T:
        """Apply `operation` to the book in the next batch; its result once committed.

        Raises:
            Whatever the operation raised (rolled back alone), or DatabaseUnavailableError
            when the batch could not be committed.
        """
        self.start()
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((operation, future))
        return await future

    def forget_open_transactions(self) -> None:
        """Drop the open-transaction cache before the next batch: another process took over
        a charger (`cluster`) and may now write its transactions."""
        self._cache_stale = True

    async def _work(self) -> None:
        while True:
            jobs = [await self._queue.get()]
            while len(jobs) < _MAX_BATCH and not self._queue.empty():
                jobs.append(self._queue.get_nowait())
            if self._cache_stale:  # between batches: no thread is using the cache
                self._cache_stale = False
                self._open_transactions.clear()
            try:
                outcomes = await asyncio.to_thread(
                    run_ocpp_batch,
                    self._database,
                    self._clock,
                    [job[0] for job in jobs],
                    self._charger_ids,
                    self._open_transactions,
                )
            except Exception as exc:  # the commit failed: every operation of the batch failed
                for _, future in jobs:
                    if not future.done():
                        future.set_exception(exc)
            else:
                for (_, future), (ok, value) in zip(jobs, outcomes, strict=True):
                    if future.done():
                        continue  # the waiting handler was cancelled (connection closed)
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
            finally:
                for _ in jobs:
                    self._queue.task_done()
