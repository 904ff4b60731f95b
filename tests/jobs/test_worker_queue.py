"""The PostgreSQL job queue in-process: jobs deferred and run by real procrastinate workers.

Workers run on the test's private schema (the search_path carries over to procrastinate's
connections), against the faulty Wallbox simulator over an ASGI transport.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from procrastinate import App

from chargebook.account_sources import connect_account
from chargebook.clock import FixedClock
from chargebook.crypto import load_secret_box
from chargebook.db import Database
from chargebook.jobs.queue import (
    SCHEDULE_SYNCS_TASK,
    SYNC_TASK,
    AlreadyQueuedError,
    build_app,
    defer_ere_batch,
    defer_sync,
)
from chargebook.jobs.worker import queue_status, run_worker
from chargebook.jobs.worker_jobs import RetryLaterError, WorkerRuntime
from chargebook.settings import Settings
from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator
from chargebook.sync import SyncConfig
from sync.ground_truth import actual_book, expected_book  # tests/ is on sys.path (rootdir)

from .queue_support import jobs, worker_settings

pytestmark = pytest.mark.postgres
SIM_URL = "http://wallbox.test"


def _simulator(clock: FixedClock, **changes: object) -> WallboxSimulator:
    config: dict[str, object] = {
        "seed": 21,
        "accounts": 2,
        "chargers_per_account": 2,
        "days": 40,
        "fault_rate": 0.1,
        "partner_mode": True,
        "bad_session_rate": 0.1,
        "slow_answer_s": 0.0,
    }
    config.update(changes)
    return WallboxSimulator(SimulatorConfig(**config), clock=FixedClock(clock.now()))  # type: ignore[arg-type]


async def _runtime(
    settings: Settings, database: Database, clock: FixedClock, sim: WallboxSimulator
) -> WorkerRuntime:
    box = load_secret_box(settings)
    transport = httpx.ASGITransport(app=sim.app)
    for account in sim.accounts:
        await connect_account(
            settings.model_copy(update={"wallbox_api_url": SIM_URL, "wallbox_auth_url": SIM_URL}),
            database,
            box,
            clock,
            email=account.email,
            password=account.password,
            transport=transport,
        )
    config = SyncConfig(
        backfill_window=timedelta(days=10), max_history=timedelta(days=100), batch_size=20
    )
    return WorkerRuntime(settings, database, box, clock, transport, config)


def _settings(database: Database, tmp_path: Path, **changes: object) -> Settings:
    return worker_settings(
        database, tmp_path, wallbox_api_url=SIM_URL, wallbox_auth_url=SIM_URL, **changes
    )


async def test_deferred_syncs_run_on_a_worker_and_the_book_equals_the_cloud(
    pg_book: Database, tmp_path: Path, clock: FixedClock
) -> None:
    settings = _settings(pg_book, tmp_path)
    sim = _simulator(clock)
    runtime = await _runtime(settings, pg_book, clock, sim)
    app = build_app(settings, runtime)
    async with app.open_async():
        ids = runtime.enabled_account_ids()
        assert len(ids) == 2
        for account_id in ids:
            assert await defer_sync(app, account_id) is not None
        # A sync ending on a passing fault raises and is retried (backoff 0 s in the test);
        # wait=False returns once nothing is runnable, so loop until the queue is drained.
        for _ in range(10):
            await run_worker(app, settings, wait=False, install_signal_handlers=False)
            if not [job for job in jobs(pg_book, SYNC_TASK) if job["status"] == "todo"]:
                break
        status = await queue_status(app, settings)

    assert actual_book(pg_book) == expected_book(sim)
    assert status.healthy, status
    assert jobs(pg_book, SYNC_TASK) == []  # succeeded jobs are deleted


async def test_queueing_lock_and_lock_allow_one_waiting_and_one_running_sync(
    pg_book: Database, tmp_path: Path
) -> None:
    app = build_app(_settings(pg_book, tmp_path))
    async with app.open_async():
        first = await defer_sync(app, 7)
        assert first is not None
        assert await defer_sync(app, 7) is None  # the same account's sync is already waiting
        other = await defer_sync(app, 8)
        assert other is not None

        worker_id = await app.job_manager.register_worker()
        fetched = await app.job_manager.fetch_job(queues=["sync"], worker_id=worker_id)
        assert fetched is not None
        assert fetched.id == first
        second = await defer_sync(app, 7)  # running is not waiting: a new one may queue
        assert second is not None
        fetched = await app.job_manager.fetch_job(queues=["sync"], worker_id=worker_id)
        assert fetched is not None
        assert fetched.id == other
        assert await app.job_manager.fetch_job(queues=["sync"], worker_id=worker_id) is None

    rows = {job["id"]: job for job in jobs(pg_book, SYNC_TASK)}
    assert rows[first]["lock"] == rows[first]["queueing_lock"] == "sync-account-7"
    assert rows[second]["status"] == "todo"


class _CountingRuntime(WorkerRuntime):
    """Counts the periodic fan-outs that ran (each lists the accounts once)."""

    calls = 0

    def enabled_account_ids(self) -> list[int]:
        type(self).calls += 1
        return []


async def test_each_periodic_tick_is_deferred_once_with_two_workers(
    pg_book: Database, tmp_path: Path, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="procrastinate.periodic")
    settings = _settings(pg_book, tmp_path, worker_sync_cron="* * * * * *")  # every second
    box = load_secret_box(settings)
    _CountingRuntime.calls = 0
    apps = [build_app(settings, _CountingRuntime(settings, pg_book, box, clock)) for _ in "ab"]

    async def work(app: App, name: str) -> None:
        async with app.open_async():
            await run_worker(app, settings, name=name, install_signal_handlers=False)

    def outcomes() -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        for record in caplog.records:
            if getattr(record, "task_name", None) == SCHEDULE_SYNCS_TASK:
                action = str(getattr(record, "action", ""))
                found.setdefault(action, []).append(int(getattr(record, "defer_timestamp", 0)))
        return found

    def enough_seen() -> bool:
        seen = outcomes()
        return (
            len(seen.get("periodic_task_deferred", [])) >= 2
            and bool(seen.get("periodic_task_already_deferred"))
            and _CountingRuntime.calls >= 2
        )

    workers = [asyncio.create_task(work(app, name)) for app, name in zip(apps, "ab", strict=True)]
    # Wait for the evidence instead of a fixed time: on a loaded machine a tick's job can sit
    # in the queue for seconds, and its queueing lock then (rightly) turns later ticks away.
    for _ in range(300):
        if enough_seen():
            break
        await asyncio.sleep(0.1)
    for task in workers:
        task.cancel()  # procrastinate stops gracefully on cancellation
    await asyncio.gather(*workers, return_exceptions=True)

    seen = outcomes()
    deferred = seen.get("periodic_task_deferred", [])
    assert len(deferred) >= 2
    assert len(set(deferred)) == len(deferred)  # no tick deferred twice
    assert seen.get("periodic_task_already_deferred")  # the other worker was turned away
    # Each tick ran at most once (the last one may still wait in the queue at the stop).
    assert 2 <= _CountingRuntime.calls <= len(deferred)


async def test_a_retryable_failure_is_retried_then_succeeds(
    pg_book: Database, tmp_path: Path, clock: FixedClock
) -> None:
    settings = _settings(pg_book, tmp_path)
    outcomes: list[str] = []

    class FlakyRuntime(WorkerRuntime):
        async def sync_account(self, account_id: int) -> None:  # type: ignore[override]
            if len(outcomes) < 2:
                outcomes.append("failed")
                raise RetryLaterError("the cloud is down")
            outcomes.append("ok")

    app = build_app(settings, FlakyRuntime(settings, pg_book, load_secret_box(settings), clock))
    async with app.open_async():
        await defer_sync(app, 1)
        for _ in range(5):
            await run_worker(app, settings, wait=False, install_signal_handlers=False)
            if outcomes[-1:] == ["ok"]:
                break
    assert outcomes == ["failed", "failed", "ok"]


async def test_a_permanent_error_fails_the_job_without_retry(
    pg_book: Database, tmp_path: Path, clock: FixedClock
) -> None:
    settings = _settings(pg_book, tmp_path)
    runs: list[int] = []

    class BrokenRuntime(WorkerRuntime):
        def build_ere_batch(self, period: str, corrects_batch_id: int | None = None) -> None:
            runs.append(1)
            raise ValueError("a bug")

    app = build_app(settings, BrokenRuntime(settings, pg_book, load_secret_box(settings), clock))
    async with app.open_async():
        await defer_ere_batch(app, "2026-Q1")
        with pytest.raises(AlreadyQueuedError):
            await defer_ere_batch(app, "2026-Q1")
        await run_worker(app, settings, wait=False, install_signal_handlers=False)
        status = await queue_status(app, settings)
    assert runs == [1]
    assert [(job.task, job.args) for job in status.failed] == [
        ("chargebook.ere_batch", "corrects_batch_id=None, period=2026-Q1")
    ]
    assert not status.healthy


def test_the_worker_refuses_sqlite() -> None:
    from chargebook.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="needs PostgreSQL"):
        build_app(Settings(database_url="sqlite:////tmp/book.sqlite3"))


def test_ere_jobs_build_the_batch_once_and_write_the_statements(
    pg_book: Database, tmp_path: Path
) -> None:
    from chargebook.db.ere.store import EreStore
    from chargebook.domain.ere import DeliveryPeriod
    from chargebook.ere.service import finalize_batch
    from chargebook.ere.service.setup import set_price
    from chargebook.jobs.queue import defer_ere_statements
    from ere_book.helpers import NOW, BookBuilder, daily_records, mid_charger

    clock = FixedClock(NOW)
    book = BookBuilder(pg_book, clock)
    book.sync(
        [mid_charger("501"), mid_charger("502")],
        daily_records("501", "a", 20, "10") + daily_records("502", "b", 30, "10"),
    )
    book.customer("anna@example.com", "10000000000001", ["501"])
    book.customer("bram@example.com", "10000000000002", ["502"])
    settings = _settings(pg_book, tmp_path)
    runtime = WorkerRuntime(settings, pg_book, load_secret_box(settings), clock)
    app = build_app(settings, runtime)

    async def run(defer: Callable[[], Awaitable[int]]) -> None:
        async with app.open_async():
            await defer()
            await run_worker(app, settings, wait=False, install_signal_handlers=False)
            assert (await queue_status(app, settings)).healthy

    def batches() -> list[tuple[int, int, str]]:
        with pg_book.transaction() as session:
            listed = EreStore(session, clock).batches.list()
        return [(b.id, b.session_count, b.status.value) for b in listed]

    asyncio.run(run(lambda: defer_ere_batch(app, "2026")))
    assert [count for _, count, _ in batches()] == [50]
    asyncio.run(run(lambda: defer_ere_batch(app, "2026")))  # a rerun finds nothing left
    [(batch_id, _, status)] = batches()
    assert status == "draft"

    with pg_book.transaction() as session:
        store = EreStore(session, clock)
        finalize_batch(store, batch_id)
        set_price(store, DeliveryPeriod(2026), Decimal("0.10"))
    asyncio.run(run(lambda: defer_ere_statements(app, "2026", "0.20")))
    written = sorted(path.name for path in (settings.data_dir / "statements").iterdir())
    assert written[-1] == "statements-2026.csv"
    assert [name.endswith(".pdf") for name in written[:-1]] == [True, True]


async def test_sigterm_stops_the_worker_after_its_running_job_finishes(
    pg_book: Database, tmp_path: Path, clock: FixedClock
) -> None:
    settings = _settings(pg_book, tmp_path, worker_shutdown_grace_s=10)
    started = asyncio.Event()
    finished: list[int] = []

    class SlowRuntime(WorkerRuntime):
        async def sync_account(self, account_id: int) -> None:  # type: ignore[override]
            started.set()
            await asyncio.sleep(0.5)
            finished.append(account_id)

    app = build_app(settings, SlowRuntime(settings, pg_book, load_secret_box(settings), clock))
    async with app.open_async():
        await defer_sync(app, 5)
        await defer_sync(app, 6)
        worker = asyncio.create_task(run_worker(app, settings, concurrency=1))
        await asyncio.wait_for(started.wait(), timeout=20)
        # procrastinate's handler is installed while the worker runs (main thread).
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(worker, timeout=20)  # returns: a clean stop, no exception
    assert finished == [5]  # the running job ended normally; the waiting one was not taken
    assert [(job["args"], job["status"]) for job in jobs(pg_book, SYNC_TASK)] == [
        ({"account_id": 6}, "todo")
    ]


async def test_two_workers_retrying_stalled_jobs_at_once_move_each_job_once(
    pg_book: Database, tmp_path: Path
) -> None:
    from sqlalchemy import text

    from chargebook.jobs.queue import retry_stalled

    app = build_app(_settings(pg_book, tmp_path))
    async with app.open_async():
        dead = await app.job_manager.register_worker()
        alone = await defer_sync(app, 10)
        superseded = await defer_sync(app, 11)
        for _ in range(2):
            assert await app.job_manager.fetch_job(queues=["sync"], worker_id=dead) is not None
        newer = await defer_sync(app, 11)  # account 11 has a waiting sync again
        with pg_book.engine.begin() as connection:
            connection.execute(
                text("UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 hour'")
            )
        counts = await asyncio.gather(retry_stalled(app, 30), retry_stalled(app, 30))

    assert sum(counts) == 1
    rows = {job["id"]: (job["status"], job["attempts"]) for job in jobs(pg_book, SYNC_TASK)}
    assert rows[alone] == ("todo", 1)  # retried once, by one of the two
    assert rows[superseded][0] == "aborted"  # the newer waiting sync does its work
    assert rows[newer] == ("todo", 0)
