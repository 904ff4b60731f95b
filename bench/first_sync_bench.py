"""First-sync benchmark (issue 15): a new owner's first sync under the real rate limit.

    .venv/bin/python -m bench.first_sync_bench [--years 3] [--quick]

The real Wallbox Cloud allows 3 reads a minute per account, so a first sync is as fast as the
number of reads it makes. In-process on a virtual clock (bench/_virtual_clock.py): the
simulator's rate limiter (3 reads, 5 writes a minute), the client's `RequestBudget` and the
sync engine share one clock that jumps whenever every task waits, so hours of throttled
waiting take a second of real time.

Per scenario (a household: 1 account, 2 chargers; a fleet account: 1 account, 10 chargers;
both with `--years` of history) it runs what an owner runs on the command line:
`chargebook accounts add` (`connect_account`: one sign-in, no data read) and then
`chargebook sync` (`build_sources` and `SyncEngine.sync_accounts` with the CLI's defaults)
into a fresh SQLite book, and checks that the book holds every ended session.

Printed per scenario: data reads (GETs on the data API, as the simulator logged them,
refused ones included), sign-ins and refreshes, simulated minutes from the first request to
the end of the sync, and the lower bound: one groups read, plus per charger one sessions page
per 1,000 sessions (at least one), plus one charger read per charger whose groups entry says
it has a MID meter (its MID serial is only in `v2/charger`). Target: reads <= lower bound +
one per charger.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from sqlalchemy import func, select

from bench._simproc import fresh_sqlite
from bench._virtual_clock import VirtualClock
from chargebook.account_sources import (
    budget_registry,
    build_sources,
    close_sources,
    connect_account,
    sync_config,
)
from chargebook.crypto import load_secret_box
from chargebook.db.book.store import book_opener
from chargebook.db.book.tables import ChargingSessionRow
from chargebook.settings import Settings
from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator
from chargebook.sync import SyncEngine

URL = "http://wallbox.sim"
PAGE_SIZE = 1000
DATA_PREFIXES = ("/v2/", "/v3/", "/v4/", "/chargers/")


@dataclass(frozen=True)
class Outcome:
    chargers: int
    sessions: int
    reads: int
    refused: int
    sign_ins: int
    refreshes: int
    minutes: float
    lower_bound: int
    wall_s: float

    @property
    def target(self) -> int:
        return self.lower_bound + self.chargers


def lower_bound(sim: WallboxSimulator, email: str, before: datetime) -> tuple[int, int]:
    """(the fewest reads a first sync can make, ended sessions) for the account `email`."""
    reads, sessions = 1, 0  # the groups read
    for charger_id in sim.charger_ids(email):
        ended = sum(1 for s in sim.state(charger_id).plan.started_by(before) if s.end <= before)
        sessions += ended
        reads += max(1, math.ceil(ended / PAGE_SIZE))
        reads += 1 if sim.chargers[charger_id].model.mid else 0
    return reads, sessions


def run_scenario(chargers: int, years: float, seed: int) -> Outcome:
    """One account with `chargers` chargers and `years` of history, synced for the first time."""
    now = datetime.now(UTC).replace(microsecond=0)
    clock = VirtualClock(now)
    config = SimulatorConfig(
        seed=seed, accounts=1, chargers_per_account=chargers, days=round(365.25 * years),
        reads_per_minute=3, writes_per_minute=5, throttle_403_rate=0.25,
    )  # fmt: skip
    sim = WallboxSimulator(config, clock=clock)
    account = sim.accounts[0]
    bound, sessions = lower_bound(sim, account.email, now)
    database, path = fresh_sqlite("cb-first-sync-")
    settings = Settings(
        data_dir=path.parent, database_url=f"sqlite:///{path}",
        wallbox_api_url=URL, wallbox_auth_url=URL,
    )  # fmt: skip
    transport = httpx.ASGITransport(app=sim.app)
    box = load_secret_box(settings)

    async def work() -> None:
        driver = asyncio.create_task(clock.drive())
        try:
            await connect_account(
                settings, database, box, clock,
                email=account.email, password=account.password, transport=transport,
            )  # fmt: skip
            sources = build_sources(
                settings, database, box, clock,
                transport=transport, budgets=budget_registry(settings, clock),
            )  # fmt: skip
            engine = SyncEngine(book_opener(database, clock), clock, sync_config(settings))
            try:
                report = await engine.sync_accounts(sources)
            finally:
                await close_sources(sources)
            if report.failed:
                raise RuntimeError(f"sync failed: {report.failed[0].error}")
        finally:
            driver.cancel()

    began = time.perf_counter()
    try:
        asyncio.run(work())
        with database.session() as session:
            stored = session.scalar(select(func.count()).select_from(ChargingSessionRow)) or 0
    finally:
        database.dispose()
    wall_s = time.perf_counter() - began
    log = sim.request_log.get(account.email.lower(), [])
    data = [r for r in log if r.method == "GET" and r.path.startswith(DATA_PREFIXES)]
    assert stored >= sessions, f"the book has {stored} sessions, the simulator {sessions}"
    return Outcome(
        chargers=chargers,
        sessions=sessions,
        reads=len(data),
        refused=sum(1 for r in data if r.status in (403, 429)),
        sign_ins=sum(1 for r in log if r.path == "/users/signin"),
        refreshes=sum(1 for r in log if r.path == "/users/refresh-token"),
        minutes=(data[-1].time - data[0].time).total_seconds() / 60 if data else 0.0,
        lower_bound=bound,
        wall_s=wall_s,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--years", type=float, default=3.0)
    parser.add_argument("--fleet-chargers", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    args = parser.parse_args(argv)
    if args.quick:
        args.years, args.fleet_chargers = 0.1, 3
    failed = []
    for name, chargers in (("household", 2), ("fleet account", args.fleet_chargers)):
        out = run_scenario(chargers, args.years, seed=15)
        verdict = "met" if out.reads <= out.target else "NOT met"
        print(
            f"{name}: {out.chargers} chargers, {args.years:g} years, {out.sessions} sessions: "
            f"{out.reads} data reads ({out.refused} refused), {out.sign_ins} sign-in, "
            f"{out.refreshes} refreshes; {out.minutes:.1f} simulated minutes "
            f"({out.wall_s:.1f} s real); lower bound {out.lower_bound} reads, "
            f"target <= {out.target}: {verdict}"
        )
        if out.reads > out.target:
            failed.append(name)
    if failed:
        raise SystemExit(f"first-sync read target not met: {', '.join(failed)}")


if __name__ == "__main__":
    main()
