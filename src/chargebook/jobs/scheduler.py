"""In-process scheduler: runs periodic jobs (sync, recorder) per account on an injected clock.

- One loop decides what is due and sleeps until the next due time on the clock, so a
  `FixedClock` runs a day of schedule in milliseconds.
- A job runs at most once at a time per (job name, account key): a run that is still going
  when the next is due makes that turn skip, never overlap.
- Each run is followed by `interval_s` plus a random jitter, or by the delay the job returned
  (the recorder asks for short delays while a car charges).
- `stop()` (wired to SIGTERM by `install_signal_handlers`) stops starting runs; running ones
  get `grace_s` to finish and are then cancelled. Jobs never hold a transaction open across
  an `await`, so a cancelled run abandons at most an uncommitted read.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import signal
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from chargebook.clock import Clock

_LOGGER = logging.getLogger(__name__)

JobFunction = Callable[[], Coroutine[object, object, float | None]]


@dataclass(slots=True)
class Job:
    """A periodic job for one account; `run` may return the seconds until its next run."""

    name: str
    key: str
    run: JobFunction
    interval_s: float
    jitter_s: float = 0.0
    first_delay_s: float = 0.0
    next_due: datetime | None = None
    runs: int = 0
    failures: int = 0
    skipped: int = 0
    task: asyncio.Task[float | None] | None = field(default=None, repr=False)

    @property
    def ident(self) -> tuple[str, str]:
        return self.name, self.key


class Scheduler:
    """Runs jobs until stopped; see the module docstring."""

    def __init__(
        self, clock: Clock, *, rng: random.Random | None = None, grace_s: float = 30.0
    ) -> None:
        self._clock = clock
        self._rng = rng or random.Random()  # jitter only; not security relevant
        self.grace_s = grace_s
        self._jobs: dict[tuple[str, str], Job] = {}
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()

    def add(self, job: Job) -> None:
        """Register a job; its first run is after `first_delay_s` plus jitter."""
        if job.ident in self._jobs:
            raise ValueError(f"job {job.name} for {job.key} is already scheduled")
        job.next_due = self._clock.now() + timedelta(seconds=job.first_delay_s + self._jitter(job))
        self._jobs[job.ident] = job
        self._wake.set()

    def remove(self, name: str, key: str) -> Job | None:
        """Unschedule a job (an account that was removed or disabled); a run in progress is
        cancelled. Returns the job, or None when it was not scheduled."""
        job = self._jobs.pop((name, key), None)
        if job is not None and job.task is not None and not job.task.done():
            job.task.cancel()
        self._wake.set()
        return job

    def trigger(self, name: str, key: str) -> bool:
        """Make a scheduled job due now (it still never overlaps a run in progress); False
        when there is no such job."""
        job = self._jobs.get((name, key))
        if job is None:
            return False
        job.next_due = self._clock.now()
        self._wake.set()
        return True

    def postpone(self, name: str, key: str, until: datetime) -> bool:
        """Make a scheduled job due no sooner than `until` (its work was just done another
        way); a run in progress is left alone. False when there is no such job."""
        job = self._jobs.get((name, key))
        if job is None:
            return False
        if job.next_due is not None and job.next_due < until:
            job.next_due = until
            self._wake.set()
        return True

    @property
    def jobs(self) -> list[Job]:
        return list(self._jobs.values())

    def stop(self) -> None:
        """Stop starting new runs; `run` returns after the running ones end (or time out)."""
        self._stopping.set()
        self._wake.set()

    async def run(self, *, until: datetime | None = None) -> None:
        """Run jobs until `stop()` (or the clock reaches `until`), then shut down cleanly."""
        try:
            while not self._stopping.is_set():
                now = self._clock.now()
                if until is not None and now >= until:
                    break
                due = [job for job in self._jobs.values() if job.next_due and job.next_due <= now]
                for job in due:
                    self._start(job)
                if due:
                    # Let the new runs start (and quick ones finish, which reschedules them)
                    # before sleeping: with a FixedClock the sleep moves time at once.
                    for _ in range(3):
                        await asyncio.sleep(0)
                    continue
                await self._sleep_until_next(until)
        finally:
            await self._shutdown()

    def _start(self, job: Job) -> None:
        if job.task is not None and not job.task.done():
            job.skipped += 1  # never two runs of one job for one account at once
            job.next_due = None
            return
        job.next_due = None
        job.task = asyncio.create_task(job.run(), name=f"{job.name}:{job.key}")
        job.task.add_done_callback(functools.partial(self._finished, job))

    def _finished(self, job: Job, task: asyncio.Task[float | None]) -> None:
        job.runs += 1
        delay_s: float | None = None
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            job.failures += 1
            _LOGGER.error("job %s for %s failed: %r", job.name, job.key, error)
        else:
            delay_s = task.result()
        if delay_s is None:
            delay_s = job.interval_s
        job.next_due = self._clock.now() + timedelta(seconds=delay_s + self._jitter(job))
        self._wake.set()

    def _jitter(self, job: Job) -> float:
        return self._rng.uniform(0, job.jitter_s) if job.jitter_s > 0 else 0.0

    async def _sleep_until_next(self, until: datetime | None) -> None:
        dues = [job.next_due for job in self._jobs.values() if job.next_due is not None]
        if until is not None:
            dues.append(until)
        self._wake.clear()
        waiters: set[asyncio.Future[object]] = {asyncio.ensure_future(self._wake.wait())}
        if dues:
            delay_s = (min(dues) - self._clock.now()).total_seconds()
            waiters.add(asyncio.ensure_future(self._clock.sleep(delay_s)))
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def _shutdown(self) -> None:
        running = [job.task for job in self._jobs.values() if job.task and not job.task.done()]
        if not running:
            return
        _, pending = await asyncio.wait(running, timeout=self.grace_s)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


def install_signal_handlers(scheduler: Scheduler) -> None:
    """Stop `scheduler` cleanly on SIGTERM and SIGINT (Unix event loops only)."""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, scheduler.stop)
