"""Resumability with real processes: `python -m chargebook sync` killed with SIGKILL, rerun.

The simulator is served by uvicorn on a free loopback port (faults on, small latency); the sync
runs as a subprocess against a SQLite file and is killed at random moments. Reruns then finish
the job, and the book must hold exactly the simulator's sessions: none lost, none twice, the
same raw bytes, exactly the bad ones quarantined.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from chargebook.clock import FixedClock
from chargebook.db.book.tables import ChargingSessionRow
from chargebook.db.core.database import Database
from chargebook.db.core.engine import create_book_engine
from chargebook.simulator.serve import ServedApp
from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator

from .ground_truth import actual_book, expected_book

KILLS = 6
SYNC_ARGS = ["--quiet", "--window-days", "5", "--batch-size", "4", "--history-years", "1"]


def _env(tmp_path: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHARGEBOOK_")}
    env.update(
        CHARGEBOOK_DATA_DIR=str(tmp_path / "data"),
        CHARGEBOOK_DATABASE_URL=f"sqlite:///{tmp_path / 'book.sqlite3'}",
        CHARGEBOOK_SECRET_KEY=Fernet.generate_key().decode(),
        CHARGEBOOK_WALLBOX_API_URL=url,
        CHARGEBOOK_WALLBOX_AUTH_URL=url,
        CHARGEBOOK_WALLBOX_PARTNER_MODE="true",
    )
    return env


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "chargebook", *args]


def _count(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count(ChargingSessionRow.id))) or 0


def _wait_for_progress(
    process: subprocess.Popen[bytes], database: Database, *, since: int, timeout_s: float = 90
) -> None:
    """Return once the book grew past `since`, the process ended, or `timeout_s` passed."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        if _count(database) > since:
            return
        time.sleep(0.05)


@pytest.mark.slow
def test_sync_killed_with_sigkill_resumes_to_exactly_the_cloud(tmp_path: Path) -> None:
    sim = WallboxSimulator(
        SimulatorConfig(
            seed=5,
            accounts=2,
            chargers_per_account=2,
            days=90,
            fault_rate=0.1,
            latency_ms=40,
            partner_mode=True,
            bad_session_rate=0.1,
            slow_answer_s=0.05,
        ),
        clock=FixedClock(datetime.now(UTC)),  # frozen: the cloud's history holds still
    )
    rng = random.Random(2024)
    with ServedApp(sim.app) as served:
        env = _env(tmp_path, served.url)
        for account in sim.accounts:
            subprocess.run(
                _cli("accounts", "add", "--email", account.email, "--password", account.password),
                env=env,
                check=True,
                capture_output=True,
                timeout=60,
            )
        database = Database(create_book_engine(env["CHARGEBOOK_DATABASE_URL"]))
        expected_shas, expected_bad = expected_book(sim)

        partial_counts = []
        for _ in range(KILLS):
            process = subprocess.Popen(
                _cli("sync", *SYNC_ARGS),
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            # Kill relative to the process's own progress, not the wall clock: start-up time
            # varies a lot on a loaded machine, and a kill before the first write proves little.
            _wait_for_progress(process, database, since=_count(database))
            time.sleep(rng.uniform(0.0, 0.6))
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            partial_counts.append(_count(database))

        outcomes = []
        for _ in range(5):
            done = subprocess.run(
                _cli("sync", *SYNC_ARGS), env=env, capture_output=True, text=True, timeout=180
            )
            outcomes.append(done.returncode)
            if done.returncode == 0:
                break
        assert outcomes[-1] == 0, done.stdout + done.stderr

        actual_shas, actual_bad = actual_book(database)
        with database.session() as session:
            quarantined_ids = session.scalars(
                select(ChargingSessionRow.id).where(ChargingSessionRow.state == "quarantined")
            ).all()
        database.dispose()
        listed = subprocess.run(
            _cli("sessions", "--quarantined", "--limit", "1000"),
            env={**env, "COLUMNS": "250"},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        accounts = subprocess.run(
            _cli("accounts", "list"),
            env={**env, "COLUMNS": "250"},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout

    # The kills landed mid-sync: several left a partial book behind.
    partial = [count for count in partial_counts if 0 < count < len(expected_shas)]
    assert len(partial) >= 2, partial_counts
    assert len(expected_shas) > 200
    assert actual_shas == expected_shas
    assert actual_bad == expected_bad
    assert f"Quarantined sessions ({len(expected_bad)})" in listed
    # Each by the book id every command takes, with its reason under the table.
    assert len(quarantined_ids) == len(expected_bad)
    assert all(f"session {book_id}: " in listed for book_id in quarantined_ids)
    assert all(account.email in accounts for account in sim.accounts)
