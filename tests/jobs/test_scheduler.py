"""The in-process scheduler on a FixedClock: cadence, jitter, no overlap, clean shutdown."""

from __future__ import annotations

import asyncio
import itertools
import random
from datetime import datetime, timedelta

import pytest

from chargebook.clock import FixedClock
from chargebook.jobs import Job, Scheduler


async def test_periodic_jobs_run_at_their_interval_with_jitter(clock: FixedClock) -> None:
    starts: dict[str, list[datetime]] = {"a": [], "b": []}

    def job(key: str) -> Job:
        async def run() -> None:
            starts[key].append(clock.now())

        return Job(name="sync", key=key, run=run, interval_s=600, jitter_s=60)

    scheduler = Scheduler(clock, rng=random.Random(1))
    scheduler.add(job("a"))
    scheduler.add(job("b"))
    begin = clock.now()
    await scheduler.run(until=begin + timedelta(hours=2))

    for key, times in starts.items():
        gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
        assert 10 <= len(times) <= 13, key
        assert all(600 <= gap <= 660 for gap in gaps), (key, gaps)
    # jitter spreads the accounts: they do not start in lockstep
    assert starts["a"] != starts["b"]


async def test_job_may_ask_for_its_next_delay(clock: FixedClock) -> None:
    delays = iter([90.0, 90.0, 720.0])
    seen: list[datetime] = []

    async def poll() -> float:
        seen.append(clock.now())
        return next(delays, 720.0)

    scheduler = Scheduler(clock)
    scheduler.add(Job(name="record", key="a", run=poll, interval_s=3600))
    begin = clock.now()
    await scheduler.run(until=begin + timedelta(seconds=2000))
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(seen)]
    assert gaps[:3] == [90.0, 90.0, 720.0]


async def test_a_slow_run_is_never_overlapped(clock: FixedClock) -> None:
    active = 0
    max_active = 0
    release = asyncio.Event()

    async def slow() -> None:
        nonlocal active, max_active
        active += 1
        max_active = max(max_active, active)
        await release.wait()
        active -= 1

    scheduler = Scheduler(clock, grace_s=5)
    job = Job(name="sync", key="a", run=slow, interval_s=60)
    scheduler.add(job)
    runner = asyncio.create_task(scheduler.run())
    for _ in range(50):
        await asyncio.sleep(0)
    assert max_active == 1
    release.set()
    for _ in range(50):
        await asyncio.sleep(0)
    scheduler.stop()
    await runner
    assert max_active == 1
    assert job.runs >= 2


async def test_stop_lets_a_running_job_finish_its_transaction(clock: FixedClock) -> None:
    committed: list[str] = []
    started = asyncio.Event()

    async def job_run() -> None:
        started.set()
        await asyncio.sleep(0.01)  # real time: still inside its grace
        committed.append("batch")

    scheduler = Scheduler(clock, grace_s=5)
    scheduler.add(Job(name="sync", key="a", run=job_run, interval_s=60))
    runner = asyncio.create_task(scheduler.run())
    await started.wait()
    scheduler.stop()
    await runner
    assert committed == ["batch"]


async def test_stop_cancels_a_run_that_outlives_the_grace(clock: FixedClock) -> None:
    cancelled = asyncio.Event()

    async def stuck() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    scheduler = Scheduler(clock, grace_s=0.01)
    scheduler.add(Job(name="sync", key="a", run=stuck, interval_s=60))
    runner = asyncio.create_task(scheduler.run())
    for _ in range(10):
        await asyncio.sleep(0)
    scheduler.stop()
    await asyncio.wait_for(runner, timeout=2)
    assert cancelled.is_set()


async def test_failing_job_is_counted_and_rescheduled(clock: FixedClock) -> None:
    async def broken() -> None:
        raise RuntimeError("boom")

    scheduler = Scheduler(clock)
    job = Job(name="sync", key="a", run=broken, interval_s=300)
    scheduler.add(job)
    await scheduler.run(until=clock.now() + timedelta(seconds=1000))
    assert job.failures == job.runs
    assert job.runs == 4  # t = 0, 300, 600, 900


def test_a_job_is_added_once(clock: FixedClock) -> None:
    async def nothing() -> None:
        return None

    scheduler = Scheduler(clock)
    scheduler.add(Job(name="sync", key="a", run=nothing, interval_s=60))
    with pytest.raises(ValueError, match="already scheduled"):
        scheduler.add(Job(name="sync", key="a", run=nothing, interval_s=60))


async def test_postpone_makes_a_job_due_no_sooner_but_never_sooner(clock: FixedClock) -> None:
    starts: list[datetime] = []

    async def run() -> None:
        starts.append(clock.now())

    scheduler = Scheduler(clock)
    scheduler.add(Job(name="sync", key="1", run=run, interval_s=600))
    begin = clock.now()
    assert scheduler.postpone("sync", "1", begin + timedelta(seconds=900))
    assert scheduler.postpone("sync", "1", begin + timedelta(seconds=60))  # earlier: no effect
    assert not scheduler.postpone("sync", "2", begin)
    await scheduler.run(until=begin + timedelta(seconds=1600))
    assert [(t - begin).total_seconds() for t in starts] == [900.0, 1500.0]
