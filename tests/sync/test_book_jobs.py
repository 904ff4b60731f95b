"""The book's jobs on the scheduler: every account synced and recorded, on a FixedClock."""

from __future__ import annotations

import dataclasses
import random
from datetime import timedelta

from chargebook.clock import FixedClock
from chargebook.domain.models import ChargerState
from chargebook.jobs import Scheduler
from chargebook.jobs.book_jobs import schedule_account_jobs
from chargebook.sync import AccountSource, SyncConfig, SyncEngine
from chargebook.sync.recorder import Recorder

from .fakes import FakeBook, raw_session
from .test_recorder import StatusCloud


async def test_book_jobs_sync_and_record_every_account(clock: FixedClock) -> None:

    book = FakeBook()
    clouds = [StatusCloud(clock, [(ChargerState.READY, 0.0)]) for _ in range(2)]
    for n, cloud in enumerate(clouds):
        cloud.chargers[0] = dataclasses.replace(cloud.chargers[0], external_id=f"{n}01")
        start = clock.now() - timedelta(days=1)
        cloud.sessions[f"{n}01"] = [raw_session(n + 1, f"{n}01", start)]
    accounts = [AccountSource(n + 1, f"a{n}@example.com", c) for n, c in enumerate(clouds)]
    engine = SyncEngine(book.open, clock, SyncConfig(stop_after_empty_windows=1))
    recorder = Recorder(book.open, clock, reads_per_minute=3)
    scheduler = Scheduler(clock, rng=random.Random(3))
    jobs = schedule_account_jobs(scheduler, accounts, engine=engine, recorder=recorder)
    await scheduler.run(until=clock.now() + timedelta(hours=1))

    assert set(book.state.sessions) == {"1", "2"}
    assert {key[0] for key in book.state.samples} == {"001", "101"}
    by_name = {(job.name, job.key): job for job in jobs}
    assert 4 <= by_name[("sync", "1")].runs <= 5  # every 15 min plus up to 2 min jitter
    assert by_name[("record", "2")].runs >= 5  # idle: every 12 minutes
