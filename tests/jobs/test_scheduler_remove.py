"""Scheduler.remove (an account disabled while serve runs) and Scheduler.trigger (run now)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from chargebook.clock import FixedClock
from chargebook.jobs import Job, Scheduler


async def test_a_removed_job_stops_and_its_running_turn_is_cancelled(clock: FixedClock) -> None:
    runs: list[datetime] = []
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def quick() -> None:
        runs.append(clock.now())

    async def hanging() -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    scheduler = Scheduler(clock)
    scheduler.add(Job(name="sync", key="1", run=quick, interval_s=60))
    scheduler.add(Job(name="record", key="1", run=hanging, interval_s=60))
    task = asyncio.create_task(scheduler.run(until=clock.now() + timedelta(hours=1)))
    await started.wait()
    assert scheduler.remove("record", "1") is not None
    await asyncio.wait_for(cancelled.wait(), 5)
    removed = scheduler.remove("sync", "1")
    assert removed is not None
    count = len(runs)
    assert scheduler.remove("sync", "1") is None  # already gone
    await task  # the clock runs to `until`: a removed job does not run again
    assert len(runs) == count
    assert scheduler.jobs == []


async def test_trigger_makes_a_job_due_now(clock: FixedClock) -> None:
    seen = asyncio.Event()
    began = clock.now()

    async def sync() -> None:
        seen.set()

    scheduler = Scheduler(clock)
    scheduler.add(Job(name="sync", key="1", run=sync, interval_s=900, first_delay_s=900))
    assert scheduler.trigger("sync", "1")
    assert not scheduler.trigger("sync", "2")
    await scheduler.run(until=began + timedelta(seconds=1))
    assert seen.is_set()
    assert clock.now() - began < timedelta(seconds=900)
