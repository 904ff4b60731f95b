"""Group commit for the central system: handlers await small book operations, which a single
writer thread applies in batches, one database transaction per batch.

Thousands of chargers each sending MeterValues every few seconds would otherwise pay one
commit (and, on SQLite, one write lock) per frame. A handler still gets its answer only after
its operation is committed, so a charger never drops a frame the book does not hold.

The hop between the event loop and the thread is paid once per batch, not per operation: the
loop hands the thread every operation queued so far (at the end of the loop iteration in which
the first arrived, so frames read in one iteration share a batch), and the thread hands back all
outcomes in one callback, which resolves the futures and hands over what queued meanwhile. With
50 chargers sending back to back the batches are small, and the earlier per-batch
`asyncio.to_thread` (a pool submit, a context copy, chained futures, a worker task's wake-up)
cost about as much as the batch's SQL.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from chargebook.clock import Clock
from chargebook.db import Database
from chargebook.db.ocpp.batch import Outcome, run_ocpp_batch
from chargebook.db.ocpp.transactions import OpenTransactions
from chargebook.domain.ports import OcppBook

T = TypeVar("T")
_MAX_BATCH = 500
LOG = logging.getLogger(__name__)

_Job = tuple[Callable[[OcppBook], Any], "asyncio.Future[Any]"]
# A batch for the thread: its loop and jobs; None stops the thread.
_Batch = tuple[asyncio.AbstractEventLoop, list[_Job]] | None


class BookWriter:
    """Serialises book operations through one writer thread, a batch at a time."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock
        self._waiting: list[_Job] = []  # queued on the loop, not yet handed over
        self._in_flight = False  # a batch is with the thread (or a hand-over is scheduled)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._idle: asyncio.Event | None = None  # set while nothing waits or runs
        self._inbox: queue.SimpleQueue[_Batch] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        # Only the writer thread touches these two (see `chargebook.db.ocpp.book`).
        self._charger_ids: dict[str, int] = {}
        self._open_transactions = OpenTransactions()
        # What `forget_open_transactions` asked for, applied between batches.
        self._forget_all = False
        self._forget_charge_points: set[str] = set()

    def start(self) -> None:
        """Start the writer thread (idempotent)."""
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._work, name="ocpp-book-writer", daemon=True)
            self._thread.start()

    async def stop(self) -> None:
        """Finish the queued operations, then stop the thread."""
        if self._thread is None:
            return
        if self._idle is not None:
            await self._idle.wait()
        # A `run` from here on starts a new thread; one batch is in flight at a time, so the
        # two never write at once, and exactly one of them takes the stop.
        thread, self._thread = self._thread, None
        self._inbox.put(None)
        await asyncio.to_thread(thread.join)

    async def run(self, operation: Callable[[OcppBook], T]) -> T:
        """Apply `operation` to the book in the next batch; its result once committed.

        Raises:
            Whatever the operation raised (rolled back alone), or DatabaseUnavailableError
            when the batch could not be committed.
        """
        self.start()
        loop = asyncio.get_running_loop()
        if loop is not self._loop or self._idle is None:  # first use, or a new loop (tests)
            self._loop, self._idle = loop, asyncio.Event()
            self._waiting, self._in_flight = [], False
        future: asyncio.Future[T] = loop.create_future()
        self._waiting.append((operation, future))
        self._idle.clear()
        if not self._in_flight:
            self._in_flight = True
            loop.call_soon(self._hand_over, loop)  # after this iteration's other frames
        return await future

    def forget_open_transactions(self, charge_point_id: str | None = None) -> None:
        """Before the next batch, drop the cached open transactions of `charge_point_id`:
        another process took it over (`cluster`) and may now write them. None drops them all
        (this process may have missed takeovers while it was cut off).

        Only the one charger's: in a fleet spread over several processes every connect
        elsewhere is a takeover notice here, and emptying the whole cache each time cost one
        database read per MeterValues until it refilled (two processes: p99 of seconds at
        9,000 charge points, `bench.ocpp_cluster_bench`)."""
        if charge_point_id is None:
            self._forget_all = True
        else:
            self._forget_charge_points.add(charge_point_id)

    # -- on the loop ----------------------------------------------------------------------

    def _hand_over(self, loop: asyncio.AbstractEventLoop) -> None:
        """Give the thread the waiting jobs (no batch is running), or go idle."""
        jobs = self._waiting[:_MAX_BATCH]
        del self._waiting[:_MAX_BATCH]
        if not jobs:
            self._in_flight = False
            if self._idle is not None:
                self._idle.set()
            return
        self._drop_forgotten()  # between batches: no thread is using the caches
        self.start()  # a `stop` may have come between the `run` and this hand-over
        self._inbox.put((loop, jobs))

    def _drop_forgotten(self) -> None:
        if self._forget_all:
            self._open_transactions.clear()
        elif self._forget_charge_points:
            # A charger this writer never resolved has no transaction in its cache.
            ids = self._charger_ids
            self._open_transactions.forget_chargers(
                {ids[cp] for cp in self._forget_charge_points if cp in ids}
            )
        self._forget_all = False
        self._forget_charge_points.clear()

    def _finished(
        self,
        loop: asyncio.AbstractEventLoop,
        jobs: list[_Job],
        outcomes: list[Outcome] | None,
        error: BaseException | None,
    ) -> None:
        """The thread's outcomes of one batch: resolve its futures, hand over the next."""
        for index, (_, future) in enumerate(jobs):
            if future.done():
                continue  # the waiting handler was cancelled (connection closed)
            if outcomes is None:  # the commit failed: every operation of the batch failed
                future.set_exception(error or RuntimeError("book batch failed"))
            elif outcomes[index][0]:
                future.set_result(outcomes[index][1])
            else:
                future.set_exception(outcomes[index][1])
        self._hand_over(loop)

    # -- on the writer thread -------------------------------------------------------------

    def _work(self) -> None:
        while (batch := self._inbox.get()) is not None:
            loop, jobs = batch
            outcomes: list[Outcome] | None = None
            error: BaseException | None = None
            try:
                outcomes = run_ocpp_batch(
                    self._database,
                    self._clock,
                    [job[0] for job in jobs],
                    self._charger_ids,
                    self._open_transactions,
                )
            except Exception as exc:  # handed to every waiting handler
                error = exc
            try:
                loop.call_soon_threadsafe(self._finished, loop, jobs, outcomes, error)
            except RuntimeError:  # the loop is closed: nobody waits for these any more
                LOG.warning("book writer: %d outcomes for a closed event loop", len(jobs))
