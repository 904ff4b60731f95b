"""Real `chargebook worker` processes: one is killed with SIGKILL mid-sync, another retries.

The simulator is served on a loopback port (faults on, some latency); accounts are synced by
queue jobs. Worker A is killed while a sync job runs, which leaves the job `doing` under a
worker without heartbeats. Worker B's `retry_stalled_jobs` puts it back in the queue and runs
it; the book then holds exactly the simulator's sessions (none lost, none twice), and B stops
cleanly (exit 0) on SIGTERM.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from chargebook.account_sources import connect_account
from chargebook.clock import FixedClock, SystemClock
from chargebook.crypto import load_secret_box
from chargebook.db import Database
from chargebook.db.book.tables import ChargingSessionRow
from chargebook.jobs.queue import SYNC_TASK, build_app, defer_sync
from chargebook.settings import Settings
from chargebook.simulator.serve import ServedApp
from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator
from sync.ground_truth import actual_book, expected_book  # tests/ is on sys.path (rootdir)

from .queue_support import jobs, worker_env, worker_values

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _sessions(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count(ChargingSessionRow.id))) or 0


def _wait(condition: Callable[[], bool], *, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "chargebook", "worker", "--concurrency", "2"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def _connect_and_defer(settings: Settings, database: Database, sim: WallboxSimulator) -> None:
    box, clock = load_secret_box(settings), SystemClock()
    for account in sim.accounts:
        await connect_account(
            settings, database, box, clock, email=account.email, password=account.password
        )
    app = build_app(settings)
    async with app.open_async():
        for account_id in (1, 2):
            assert await defer_sync(app, account_id) is not None


def test_a_job_of_a_killed_worker_is_retried_by_another_and_the_book_is_exact(
    pg_book: Database, tmp_path: Path
) -> None:
    sim = WallboxSimulator(
        SimulatorConfig(
            seed=5,
            accounts=2,
            chargers_per_account=2,
            days=40,
            fault_rate=0.05,
            latency_ms=10,
            partner_mode=True,
            bad_session_rate=0.1,
            slow_answer_s=0.05,
        ),
        clock=FixedClock(datetime.now(UTC)),  # frozen: the cloud's history holds still
    )
    log = tmp_path / "workers.log"
    with ServedApp(sim.app) as served:
        values = worker_values(
            pg_book,
            tmp_path,
            wallbox_api_url=served.url,
            wallbox_auth_url=served.url,
            worker_sync_window_days=5,
            worker_sync_batch_size=4,
            worker_sync_history_years=1,
            worker_heartbeat_interval_s=0.5,
            worker_stalled_after_s=2,
            worker_stalled_cron="* * * * * *",
            worker_shutdown_grace_s=10,
        )
        asyncio.run(_connect_and_defer(Settings(**values), pg_book, sim))
        env = worker_env(values)

        first = _worker(env, log)
        try:
            _wait(
                lambda: (
                    _sessions(pg_book) > 8
                    and any(job["status"] == "doing" for job in jobs(pg_book, SYNC_TASK))
                ),
                timeout_s=60,
                what="worker A to be mid-sync",
            )
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        killed = [job["id"] for job in jobs(pg_book, SYNC_TASK) if job["status"] == "doing"]
        partial = _sessions(pg_book)
        assert killed  # the killed worker's job is stuck in `doing`

        second = _worker(env, log)
        try:
            _wait(
                lambda: not jobs(pg_book, SYNC_TASK),  # succeeded jobs are deleted
                timeout_s=90,
                what="worker B to finish every sync",
            )
        finally:
            second.send_signal(signal.SIGTERM)
            code = second.wait(timeout=30)

    output = log.read_text(errors="replace")
    assert code == 0, output[-3000:]
    expected_shas, expected_bad = expected_book(sim)
    assert 0 < partial < len(expected_shas)
    assert actual_book(pg_book) == (expected_shas, expected_bad)
    # Worker B took the killed job over (procrastinate logs the retry of a stalled job).
    assert any(f"[{job_id}] of a dead worker: retried" in output for job_id in killed), output[
        -3000:
    ]
