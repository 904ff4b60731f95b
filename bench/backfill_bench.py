"""Backfill benchmark (issue 3): the first `chargebook sync` of 200 accounts, over real HTTP.

    .venv/bin/python -m bench.backfill_bench [--accounts 200] [--days 365] [--latency-ms 50]
        [--runs 3] [--concurrency 32] [--quick]

The simulator (2 chargers per account, `--days` of history, `latency_ms` slept per request,
partner mode: no rate limit) is served by uvicorn on loopback in its own process. The
accounts are connected as `chargebook accounts add` does (not timed); then the timed part
is what `chargebook sync --concurrency N` runs: `build_sources` (a client, HTTP client and
token store per account) and `SyncEngine.sync_accounts` with the CLI's default windows
(180-day backfill windows, 10-year horizon, stop after 4 empty windows, pages of 1000) into
a fresh SQLite file. At the end the book must equal the simulator's ground truth exactly
(every ended session, byte for byte by raw sha256).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from bench._simproc import SimProcess, fresh_sqlite, maxrss_mib, summary, traced_peak_mib
from chargebook.account_sources import build_sources, close_sources, connect_account
from chargebook.clock import SystemClock
from chargebook.crypto import load_secret_box
from chargebook.db import Database
from chargebook.db.book.store import book_opener
from chargebook.db.book.tables import ChargingSessionRow
from chargebook.settings import Settings
from chargebook.simulator.wallbox import SimulatorConfig
from chargebook.sync import SyncConfig, SyncEngine


@dataclass(frozen=True)
class Backfill:
    seconds: float
    build_s: float
    sessions: int
    requests: int
    client_cpu_s: float


def _config(concurrency: int) -> SyncConfig:
    # The defaults of `chargebook sync` (cli/sync.py) with its --concurrency.
    return SyncConfig(
        backfill_window=timedelta(days=180),
        overlap=timedelta(days=2),
        max_history=timedelta(days=365.25 * 10),
        batch_size=1000,
        max_concurrent_accounts=concurrency,
    )


async def _connect_all(
    settings: Settings, database: Database, accounts: list[tuple[str, str]]
) -> None:
    box, clock, gate = load_secret_box(settings), SystemClock(), asyncio.Semaphore(20)

    async def one(email: str, password: str) -> None:
        async with gate:
            await connect_account(settings, database, box, clock, email=email, password=password)

    await asyncio.gather(*(one(email, password) for email, password in accounts))


def one_run(sim: SimProcess, concurrency: int, truth: dict[str, str]) -> Backfill:
    """Connect the accounts into a fresh book, then time one complete sync; checks the book."""
    database, path = fresh_sqlite("cb-backfill-")
    settings = Settings(
        data_dir=path.parent,
        database_url=f"sqlite:///{path}",
        wallbox_api_url=sim.url,
        wallbox_auth_url=sim.url,
        wallbox_partner_mode=True,
    )
    try:
        asyncio.run(_connect_all(settings, database, sim.accounts()))
        clock = SystemClock()
        requests_before = sim.request_count()
        cpu_before = time.process_time()
        began = time.perf_counter()
        sources = build_sources(settings, database, load_secret_box(settings), clock)
        build_s = time.perf_counter() - began

        async def sync() -> int:
            engine = SyncEngine(book_opener(database, clock), clock, _config(concurrency))
            try:
                report = await engine.sync_accounts(sources)
            finally:
                await close_sources(sources)
            if report.failed:
                raise RuntimeError(f"sync failed: {report.failed[0].error}")
            return report.total("new")

        new = asyncio.run(sync())
        seconds = time.perf_counter() - began
        cpu_s = time.process_time() - cpu_before
        requests = sim.request_count() - requests_before
        with database.session() as session:
            rows = session.execute(
                select(ChargingSessionRow.external_id, ChargingSessionRow.raw_sha256)
            ).all()
        book = dict(rows)
        assert new == len(truth), f"{new} new sessions, the simulator has {len(truth)}"
        assert book == truth, f"the book differs from the simulator ({len(book)} rows)"
    finally:
        database.dispose()
    return Backfill(seconds, build_s, len(book), requests, cpu_s)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    args = parser.parse_args(argv)
    if args.quick:
        args.accounts, args.days, args.runs, args.latency_ms = 2, 20, 1, 1
    config = SimulatorConfig(
        seed=4, accounts=args.accounts, days=args.days, latency_ms=args.latency_ms,
        partner_mode=True, token_ttl_s=86_400,
    )  # fmt: skip
    with SimProcess(config) as sim:
        truth = sim.truth()
        print(
            f"simulator: {args.accounts} accounts x 2 chargers x {args.days} days, "
            f"{len(truth)} ended sessions, {args.latency_ms} ms per request, no rate limit"
        )
        runs = []
        for number in range(args.runs):
            runs.append(one_run(sim, args.concurrency, truth))
            print(
                f"run {number + 1}: {runs[-1].seconds:.1f} s, {runs[-1].requests} requests, "
                f"client CPU {runs[-1].client_cpu_s:.1f} s",
                flush=True,
            )
        # A separate run: tracemalloc slows the process down (skipped by --quick).
        peak = (
            math.nan
            if args.quick
            else traced_peak_mib(lambda: one_run(sim, args.concurrency, truth))
        )
    seconds = [r.seconds for r in runs]
    print(
        f"backfill (chargebook sync --concurrency {args.concurrency}, SQLite): {summary(seconds)}; "
        f"{statistics.median(len(truth) / s for s in seconds):,.0f} sessions/s; "
        f"{runs[0].requests} requests ({runs[0].requests / statistics.median(seconds):.0f}/s); "
        f"build_sources {statistics.median(r.build_s for r in runs):.2f} s of it; "
        f"client CPU {statistics.median(r.client_cpu_s for r in runs):.1f} s"
    )
    print(
        f"book = ground truth: {runs[0].sessions} sessions, byte for byte; peak Python heap "
        f"{peak:.0f} MiB (tracemalloc, separate run); process maxrss {maxrss_mib():.0f} MiB"
    )


if __name__ == "__main__":
    main()
