"""One soak run, phase by phase: set up, chaos for `minutes`, stop the faults, drain, check.

1. A private PostgreSQL schema, migrated as `chargebook db upgrade` does (procrastinate too).
2. The Wallbox simulator fleet (faults on, live clock) in its own process; every account
   connected as `chargebook accounts add` does; OCPP charge points registered.
3. `chargebook ocpp serve`, the charge point fleet (drops and reconnects), `--workers`
   workers (`chargebook worker`; or the labelled fallback, `chargebook sync` in a loop); one
   sync per account queued at once, the workers' periodic fan-out queues more.
4. Chaos for `--minutes`: worker 0 is SIGKILLed every `--kill-every` seconds and restarted.
5. Stop: no more kills, faults off, charge points finish and deliver their buffers, the cloud's
   clock freezes; one more sync per account is queued; the workers drain until the book equals
   the cloud (or `drain_timeout_s` passes); then they stop gracefully.
6. Checks (see `bench.soak.checks`), the ERE batch under a kill (`bench.soak.ere_check`).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import func, select, text

from bench.soak import checks
from bench.soak.ere_check import build_under_kill, set_up
from bench.soak.ocpp_fleet import (
    CentralSystemProcess,
    ChargePointFleet,
    FleetResult,
    register_charge_points,
)
from bench.soak.report import Sample, SoakResult
from bench.soak.wallbox_fleet import WallboxFleet
from bench.soak.workers import WorkerPool
from chargebook.account_sources import connect_account
from chargebook.clock import SystemClock
from chargebook.crypto import load_secret_box
from chargebook.db import Database
from chargebook.db.book.tables import ChargingSessionRow
from chargebook.db.core.engine import create_book_engine
from chargebook.db.core.testing import PostgresScratch
from chargebook.domain.ere import DeliveryPeriod
from chargebook.settings import Settings
from chargebook.simulator.wallbox import SimulatorConfig

WORKER_MODE = "chargebook worker"
FALLBACK_MODE = "FALLBACK: `chargebook sync` loops, not the queue worker"
# A worker silent this long is dead: its running job goes back to the queue (retry_stalled).
STALLED_AFTER_S = 8


@dataclass(frozen=True)
class SoakConfig:
    accounts: int = 1000
    workers: int = 3
    minutes: float = 10.0
    kill_every_s: float = 20.0
    ocpp_chargers: int = 20
    days: int = 7
    fault_rate: float = 0.05
    latency_ms: int = 20
    drop_every_s: float = 2.0
    drain_timeout_s: float = 900.0
    worker_concurrency: int = 8
    record: bool = True
    fallback_sync: bool = False
    seed: int = 8


def _env(settings: Settings, key: str, config: SoakConfig) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHARGEBOOK_")}
    env.update(
        CHARGEBOOK_DATA_DIR=str(settings.data_dir),
        CHARGEBOOK_DATABASE_URL=str(settings.database_url),
        CHARGEBOOK_SECRET_KEY=key,
        CHARGEBOOK_WALLBOX_API_URL=settings.wallbox_api_url,
        CHARGEBOOK_WALLBOX_AUTH_URL=settings.wallbox_auth_url,
        CHARGEBOOK_WALLBOX_PARTNER_MODE="true",
        CHARGEBOOK_WORKER_CONCURRENCY=str(config.worker_concurrency),
        # Seconds-level crons (6 fields, seconds last) so a run of minutes sees many ticks.
        CHARGEBOOK_WORKER_SYNC_CRON="* * * * * */20",
        CHARGEBOOK_WORKER_RECORD_CRON="* * * * *" if config.record else "0 0 1 1 *",
        CHARGEBOOK_WORKER_STALLED_CRON="* * * * * */5",
        CHARGEBOOK_WORKER_HEARTBEAT_INTERVAL_S="2",
        CHARGEBOOK_WORKER_STALLED_AFTER_S=str(STALLED_AFTER_S),
        CHARGEBOOK_WORKER_RETRY_BASE_S="1",
        CHARGEBOOK_WORKER_MAX_ATTEMPTS="8",
        # The cloud has `days` of history: a horizon just past it, so a backfill does not walk
        # ten years of empty windows (requests per account, not sessions, bound 1,000 accounts).
        CHARGEBOOK_WORKER_SYNC_WINDOW_DAYS="180",
        CHARGEBOOK_WORKER_SYNC_HISTORY_YEARS=f"{(config.days + 31) / 365.25:.3f}",
        # Small transactions, so a kill lands between two commits of a longer sync.
        CHARGEBOOK_WORKER_SYNC_BATCH_SIZE="100",
        PYTHONUNBUFFERED="1",
    )
    return env


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "chargebook", *args]


async def _connect_all(
    settings: Settings, database: Database, accounts: list[tuple[str, str]]
) -> None:
    box, clock, gate = load_secret_box(settings), SystemClock(), asyncio.Semaphore(20)

    async def one(email: str, password: str) -> None:
        async with gate:
            await connect_account(settings, database, box, clock, email=email, password=password)

    await asyncio.gather(*(one(email, password) for email, password in accounts))


async def _defer_syncs(settings: Settings) -> int:
    from chargebook.jobs.queue import build_app, defer_sync

    app = build_app(settings)
    async with app.open_async():
        rows = await app.connector.execute_query_all_async(
            query="SELECT id FROM wallbox_accounts WHERE NOT disabled ORDER BY id"
        )
        queued = 0
        for row in rows:
            queued += await defer_sync(app, int(row["id"])) is not None
    return queued


class _Sampler:
    """Every `every_s`: sessions in the book, requests served, job retries seen so far."""

    def __init__(self, database: Database, fleet: WallboxFleet, every_s: float = 5.0) -> None:
        self._database, self._fleet, self._every_s = database, fleet, every_s
        self.samples: list[Sample] = []
        self.retries: dict[int, int] = {}  # job id -> highest attempts seen (jobs get deleted)
        self._stop = threading.Event()
        self._began = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="soak-sampler", daemon=True)

    def start(self) -> None:
        self._began = time.monotonic()
        self._thread.start()

    def sample(self) -> Sample:
        with self._database.session() as session:
            counts = dict(
                session.execute(
                    select(ChargingSessionRow.source, func.count()).group_by(
                        ChargingSessionRow.source
                    )
                ).all()
            )
            retried = session.execute(
                text("SELECT id, attempts FROM procrastinate_jobs WHERE attempts > 0")
            ).all()
        for job_id, attempts in retried:
            self.retries[job_id] = max(attempts, self.retries.get(job_id, 0))
        sample = Sample(
            round(time.monotonic() - self._began, 1),
            int(counts.get("wallbox_cloud", 0)),
            int(counts.get("ocpp", 0)),
            self._fleet.request_count(),
            sum(self.retries.values()),
        )
        self.samples.append(sample)
        return sample

    def _run(self) -> None:
        while not self._stop.wait(self._every_s):
            try:
                self.sample()
            except Exception as exc:  # a sample lost to a busy database is no reason to stop
                print(f"  (sample failed: {type(exc).__name__})", flush=True)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


def _say(began: float, message: str) -> None:
    print(f"[{time.monotonic() - began:7.1f} s] {message}", flush=True)


def run_soak(config: SoakConfig, postgres_url: str, keep_logs: bool = False) -> SoakResult:
    """The whole run (see the module docstring); the result says which checks passed.

    Raises:
        RuntimeError: a process of the harness did not start.
    """
    began = time.monotonic()
    mode = FALLBACK_MODE if config.fallback_sync else WORKER_MODE
    result = SoakResult(config=asdict(config), worker_mode=mode)
    work_dir = Path(tempfile.mkdtemp(prefix="cb-soak-"))
    result.log_dir = str(work_dir)
    scratch = PostgresScratch(postgres_url)
    sim_config = SimulatorConfig(
        seed=config.seed,
        accounts=config.accounts,
        days=config.days,
        fault_rate=config.fault_rate,
        latency_ms=config.latency_ms,
        partner_mode=True,
        bad_session_rate=0.01,
        slow_answer_s=0.5,
        token_ttl_s=240,  # refreshes (and revoked refresh tokens) happen during the run
    )
    try:
        with WallboxFleet(sim_config) as fleet:  # forked first: no thread exists yet
            url = scratch.new_schema_url()
            key = Fernet.generate_key().decode()
            settings = Settings(
                data_dir=work_dir / "data",
                database_url=url,
                secret_key=key,
                wallbox_api_url=fleet.url,
                wallbox_auth_url=fleet.url,
                wallbox_partner_mode=True,
            )
            env = _env(settings, key, config)
            database = Database(create_book_engine(url))
            database.upgrade()  # what `chargebook db upgrade` runs: the queue's schema too
            try:
                _run_phases(config, result, fleet, database, settings, env, work_dir, began)
            finally:
                database.dispose()
    finally:
        scratch.close()
        result.total_s = time.monotonic() - began
        if result.ok and not keep_logs:
            shutil.rmtree(work_dir, ignore_errors=True)
    return result


def _run_phases(
    config: SoakConfig,
    result: SoakResult,
    fleet: WallboxFleet,
    database: Database,
    settings: Settings,
    env: dict[str, str],
    work_dir: Path,
    began: float,
) -> None:
    start = time.monotonic()
    asyncio.run(_connect_all(settings, database, fleet.accounts()))
    result.connect_s = time.monotonic() - start
    _say(began, f"{config.accounts} accounts connected in {result.connect_s:.1f} s")
    if config.ocpp_chargers:
        register_charge_points(database, config.ocpp_chargers)
    command = _cli("sync", "--quiet", "--concurrency", str(config.worker_concurrency * 4))
    if not config.fallback_sync:
        command = _cli("worker")
    pool = WorkerPool(command, env, config.workers, work_dir, restart_exited=config.fallback_sync)
    sampler = _Sampler(database, fleet)
    ocpp_result = FleetResult()
    # Workers, central system and charge points boot at the same time (each takes seconds
    # of imports on a busy machine); the charge points retry until the central system listens.
    central = CentralSystemProcess(env, work_dir / "central-system.log")
    points = ChargePointFleet(central.url, config.ocpp_chargers, config.drop_every_s)
    pool.start()
    central.start()
    points.start()
    with central:
        with points:
            if not config.fallback_sync:
                _say(began, f"queued {asyncio.run(_defer_syncs(settings))} account syncs")
            pool.kill_every(config.kill_every_s, seed=config.seed)
            sampler.start()
            start = time.monotonic()
            deadline = start + config.minutes * 60
            while time.monotonic() < deadline:
                pool.sleep(min(30.0, max(0.0, deadline - time.monotonic())))
                last = sampler.samples[-1] if sampler.samples else None
                if last:
                    _say(
                        began,
                        f"book {last.wallbox_sessions} wallbox + {last.ocpp_sessions} "
                        f"ocpp sessions, {last.requests} requests, kills {pool.kills}",
                    )
            result.chaos_s = time.monotonic() - start
            result.wallbox_sessions_after_chaos = sampler.sample().wallbox_sessions
            # -- stop the faults --------------------------------------------------------
            pool.stop_killing()
            fleet.faults_off()
            points.chaos_off()
            ocpp_result = points.finish(pool.sleep) if config.ocpp_chargers else FleetResult()
        if ocpp_result.stuck or ocpp_result.errors:
            _say(began, f"charge points still busy: {ocpp_result.stuck}")
            _say(began, f"{ocpp_result.errors} errors, e.g. {ocpp_result.error_examples}")
        frozen = fleet.freeze()
        truth, bad = fleet.truth()
        _say(began, f"faults off, cloud frozen at {frozen:%H:%M:%S}: {len(truth)} sessions")
        start = time.monotonic()
        if not config.fallback_sync:
            asyncio.run(_defer_syncs(settings))
        drain_deadline = start + config.drain_timeout_s
        while time.monotonic() < drain_deadline and not checks.wallbox_converged(database, truth):
            pool.sleep(2.0)
        _wait_no_stalled(database, pool, deadline_s=60)
        result.drain_s = time.monotonic() - start
        _say(began, f"drained in {result.drain_s:.1f} s; stopping the workers")
        pool.stop(grace_s=60)
    sampler.stop()
    final = sampler.sample()
    result.samples = sampler.samples
    result.requests = final.requests
    result.job_retries = final.job_retries
    result.faults_injected = fleet.faults_injected()
    result.kills = pool.kills
    result.unexpected_worker_exits = pool.unexpected_exits
    result.sessions_in_cloud = len(truth)
    result.ocpp_transactions = len(ocpp_result.completed)
    result.ocpp_drops = ocpp_result.drops
    result.ocpp_drops_mid_transaction = ocpp_result.drops_mid_transaction
    result.ocpp_buffered_sent = ocpp_result.buffered_sent
    result.checks.append(checks.wallbox_book(database, truth, bad))
    if config.ocpp_chargers:
        result.checks.append(
            checks.ocpp_book(
                database,
                ocpp_result.completed,
                ocpp_result.failed_starts,
                ocpp_result.open_at_end + ocpp_result.unflushed + ocpp_result.errors,
            )
        )
    if not config.fallback_sync:
        result.checks.append(checks.jobs(database, work_dir))
    result.checks.append(
        checks.Check(
            "workers survived the kills",
            pool.kills >= 1 and pool.unexpected_exits == 0,
            f"{pool.kills} SIGKILLs, {pool.unexpected_exits} unexpected exits",
        )
    )
    _ere_phase(config, result, database, settings, frozen, began)


def _ere_phase(
    config: SoakConfig,
    result: SoakResult,
    database: Database,
    settings: Settings,
    frozen: object,
    began: float,
) -> None:
    from datetime import datetime

    assert isinstance(frozen, datetime)
    since = frozen - timedelta(days=config.days + 1)
    owners = set_up(database, frozen, since)
    outcome = build_under_kill(
        database,
        str(settings.database_url),
        DeliveryPeriod(frozen.year),
        frozen,
    )
    result.ere = {"customers": owners, **asdict(outcome)}
    _say(began, f"ERE: {outcome}")
    result.checks.append(
        checks.Check(
            "no ERE registered twice",
            outcome.ok,
            f"{outcome.eligible_before} eligible before, {outcome.registered} registered "
            f"({outcome.distinct_registered} distinct) in {outcome.batches} batches; builds "
            f"{outcome.builds}",
        )
    )


def _wait_no_stalled(database: Database, pool: WorkerPool, deadline_s: float) -> None:
    """Until no job is running on a worker without a recent heartbeat (killed ones).

    A worker killed less than `STALLED_AFTER_S` ago still has a recent heartbeat, so its job
    would not count as stalled yet: first wait until the last kill is that old.
    """
    if pool.last_kill_at is not None:
        pool.sleep(pool.last_kill_at + STALLED_AFTER_S + 1 - time.monotonic())
    end = time.monotonic() + deadline_s
    query = text(
        "SELECT count(*) FROM procrastinate_jobs j LEFT JOIN procrastinate_workers w "
        "ON w.id = j.worker_id WHERE j.status = 'doing' AND (w.id IS NULL OR "
        "w.last_heartbeat < now() - make_interval(secs => :stalled_after_s))"
    ).bindparams(stalled_after_s=STALLED_AFTER_S)
    while time.monotonic() < end:
        with database.session() as session:
            if not session.scalar(query):
                return
        pool.sleep(1.0)
