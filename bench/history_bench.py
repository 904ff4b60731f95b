"""History benchmark (issue 2): every session of 200 accounts x 2 chargers x 365 days.

    .venv/bin/python -m bench.history_bench [--accounts 200] [--days 365] [--latency-ms 50]
        [--runs 5] [--baseline-runs 3] [--concurrency 64]

Part 1, over real HTTP: the simulator (partner mode, no rate limit, `latency_ms` slept per
request) is served by uvicorn on loopback in its own process. chargebook's async
`WallboxClient` fetches all accounts at once (one shared connection pool, at most
`--concurrency` chargers in flight, 30-day windows paged as the client does it); the PyPI
`wallbox` client (synchronous `requests`) does the same one request after another, calling
`getSessionList` per charger and 30-day window (it does not page; a 30-day window fits the
server's 1000-item page). Both must return exactly the simulator's ended sessions.
Target: ours at least 20x faster.

Part 2, in-process on a virtual clock (bench/_virtual_clock.py): the same history with the
simulator's limiter on (3 reads a minute per account) and the client's `RequestBudget`;
from `sim.request_log` it checks that no account ever had more than 3 reads in any rolling
60 s and that no request was refused (429 or throttling 403).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import ssl
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from bench._simproc import SimProcess, maxrss_mib, summary, traced_peak_mib
from bench._virtual_clock import VirtualClock
from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator
from chargebook.wallbox import RequestBudget, WallboxClient
from chargebook.wallbox.history import DEFAULT_WINDOW

READS_PER_MINUTE = 3


@dataclass(frozen=True)
class Fetched:
    seconds: float
    ids: set[str]
    requests: int
    client_cpu_s: float
    server_cpu_s: float


def history_range(now: datetime, days: int) -> tuple[datetime, datetime]:
    """[start, end) that covers every session the simulator has ended by `now`."""
    return now - timedelta(days=days + 2), now + timedelta(seconds=1)


async def fetch_ours(
    url: str,
    accounts: list[tuple[str, str]],
    start: datetime,
    end: datetime,
    concurrency: int,
    *,
    window: timedelta = DEFAULT_WINDOW,
    transport: httpx.AsyncBaseTransport | None = None,
    budgets: dict[str, RequestBudget] | None = None,
    clock: VirtualClock | None = None,
) -> set[str]:
    """Every session id of every account, all accounts at once, at most `concurrency`
    chargers (so requests) in flight.

    Composed as a multi-account process should: one `httpx.AsyncClient` per account (as
    `chargebook sync` does; one shared pool of many connections costs more CPU per request
    in httpcore) sharing one TLS context (building one costs ~30 ms of CPU).
    """
    tls = ssl.create_default_context()
    gate = asyncio.Semaphore(concurrency)

    async def one_account(email: str, password: str) -> set[str]:
        budget = (budgets or {}).get(email) or RequestBudget.unlimited_budget()
        async with httpx.AsyncClient(transport=transport, verify=tls) as http:
            client = WallboxClient(
                email, password, api_url=url, auth_url=url, http_client=http,
                budget=budget, clock=clock,
            )  # fmt: skip

            async def one_charger(charger_id: str) -> list[str]:
                async with gate:
                    return [
                        record.external_id or ""
                        async for record in client.iter_sessions(
                            charger_id, start=start, end=end, window=window
                        )
                    ]

            async with gate:
                chargers = await client.list_chargers()
            lists = await asyncio.gather(*(one_charger(c.external_id) for c in chargers))
        return {i for ids in lists for i in ids}

    found = await asyncio.gather(*(one_account(e, p) for e, p in accounts))
    return set().union(*found)


def fetch_baseline(
    url: str,
    accounts: list[tuple[str, str]],
    start: datetime,
    end: datetime,
    window: timedelta = DEFAULT_WINDOW,
) -> set[str]:
    """The PyPI client as its users call it: sign in, list chargers, one window at a time."""
    from wallbox import Wallbox  # type: ignore[import-untyped]  # dev extra only

    ids: set[str] = set()
    for email, password in accounts:
        client = Wallbox(email, password, requestGetTimeout=30)
        client.baseUrl = client.authUrl = url + "/"
        client.authenticate()
        for charger_id in client.getChargersList():
            cursor = start
            while cursor < end:
                stop = min(cursor + window, end)
                page = client.getSessionList(charger_id, cursor, stop)
                if page["meta"]["count"] != len(page["data"]):
                    raise RuntimeError("a window did not fit one page; use a shorter --window-days")
                ids.update(item["id"] for item in page["data"])  # windows share their ends
                cursor = stop
    return ids


def timed(sim: SimProcess, work: Callable[[], set[str]]) -> Fetched:
    before, server_before = sim.request_count(), sim.cpu_s()
    client_before = time.process_time()
    began = time.perf_counter()
    ids = work()
    seconds = time.perf_counter() - began
    return Fetched(
        seconds,
        ids,
        sim.request_count() - before,
        time.process_time() - client_before,
        sim.cpu_s() - server_before,
    )


def check_concurrency(url: str, latency_ms: int, requests: int = 50) -> float:
    """Seconds for `requests` unauthenticated requests at once (each sleeps `latency_ms`)."""

    async def burst() -> float:
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=requests)) as http:
            began = time.perf_counter()
            await asyncio.gather(*(http.get(url + "/v3/chargers/groups") for _ in range(requests)))
            return time.perf_counter() - began

    return asyncio.run(burst())


def run_http(args: argparse.Namespace) -> None:
    config = SimulatorConfig(
        seed=2, accounts=args.accounts, days=args.days, latency_ms=args.latency_ms,
        partner_mode=True, token_ttl_s=86_400,
    )  # fmt: skip
    with SimProcess(config) as sim:
        accounts, truth = sim.accounts(), sim.truth()
        start, end = history_range(sim.now, args.days)
        window = timedelta(days=args.window_days)
        burst_s = check_concurrency(sim.url, args.latency_ms)
        print(
            f"simulator: {args.accounts} accounts x 2 chargers x {args.days} days, "
            f"{len(truth)} ended sessions, {args.latency_ms} ms per request; "
            f"50 concurrent requests took {burst_s:.3f} s (serial: {50 * args.latency_ms / 1000} s)"
        )

        def ours() -> set[str]:
            return asyncio.run(
                fetch_ours(sim.url, accounts, start, end, args.concurrency, window=window)
            )

        runs = [timed(sim, ours) for _ in range(args.runs)]
        for run in runs:
            assert run.ids == set(truth), f"ours fetched {len(run.ids)} of {len(truth)}"
        peak = math.nan if args.quick else traced_peak_mib(ours)  # separate: it slows down
        ours_s = [r.seconds for r in runs]
        print(
            f"ours (async, concurrency {args.concurrency}): {summary(ours_s)}; "
            f"{runs[0].requests} requests, {len(runs[0].ids)} sessions = ground truth; "
            f"CPU per run: client {statistics.median(r.client_cpu_s for r in runs):.1f} s, "
            f"simulator {statistics.median(r.server_cpu_s for r in runs):.1f} s; "
            f"peak Python heap {peak:.0f} MiB (tracemalloc, separate run), "
            f"process maxrss {maxrss_mib():.0f} MiB"
        )
        if args.baseline_runs <= 0:
            return
        base = [
            timed(sim, lambda: fetch_baseline(sim.url, accounts, start, end, window))
            for _ in range(args.baseline_runs)
        ]
        for run in base:
            assert run.ids == set(truth), f"baseline fetched {len(run.ids)} of {len(truth)}"
        base_s = [r.seconds for r in base]
        ratio = statistics.median(base_s) / statistics.median(ours_s)
        print(
            f"baseline (PyPI wallbox 0.9.0, sequential): {summary(base_s)}; "
            f"{base[0].requests} requests, {len(base[0].ids)} sessions = ground truth"
        )
        verdict = "met" if ratio >= 20 else "NOT met"
        print(f"speed-up (median/median): {ratio:.1f}x; target >= 20x: {verdict}")


def run_rate_limited(args: argparse.Namespace) -> None:
    """All accounts at 3 reads a minute on a virtual clock; checks the server's request log."""
    now = datetime.now(UTC).replace(microsecond=0)
    clock = VirtualClock(now)
    config = SimulatorConfig(
        seed=2, accounts=args.accounts, days=args.days, reads_per_minute=READS_PER_MINUTE,
        partner_mode=False,
    )  # fmt: skip
    sim = WallboxSimulator(config, clock=clock)
    accounts = [(a.email, a.password) for a in sim.accounts]
    budgets = {
        email: RequestBudget(reads_per_minute=READS_PER_MINUTE, clock=clock)
        for email, _ in accounts
    }
    start, end = history_range(now, args.days)

    async def work() -> set[str]:
        driver = asyncio.create_task(clock.drive())
        try:
            return await fetch_ours(
                "http://wallbox.sim", accounts, start, end, len(accounts) * 2,
                transport=httpx.ASGITransport(app=sim.app), budgets=budgets, clock=clock,
            )  # fmt: skip
        finally:
            driver.cancel()

    began = time.perf_counter()
    ids = asyncio.run(work())
    wall_s = time.perf_counter() - began
    virtual_min = (clock.now() - now).total_seconds() / 60
    # Sessions that ended while the (virtual) fetch ran may or may not be listed.
    ended_at_start = _truth_ids(sim, before=now)
    ended_at_end = _truth_ids(sim, before=clock.now())
    complete = ended_at_start <= ids <= ended_at_end
    worst, refused, data_requests = _audit(sim)
    print(
        f"rate limited ({READS_PER_MINUTE} reads/min per account, virtual clock, in-process): "
        f"{len(accounts)} accounts, {data_requests} data requests, {len(ids)} sessions "
        f"({'complete' if complete else 'INCOMPLETE'}); took {virtual_min:.1f} virtual minutes "
        f"({wall_s:.1f} s real); most reads by one account in any rolling 60 s: {worst} "
        f"(limit {READS_PER_MINUTE}); refused (429/403): {refused}"
    )
    assert complete, "the rate-limited fetch missed sessions"
    assert worst <= READS_PER_MINUTE, f"an account sent {worst} reads in 60 s"
    assert refused == 0, f"{refused} requests were refused"


def _truth_ids(sim: WallboxSimulator, before: datetime) -> set[str]:
    ids = set()
    for account in sim.accounts:
        for charger_id in account.charger_ids:
            for session in sim.state(charger_id).plan.started_by(before):
                if session.end <= before:
                    ids.add(str(session.id))
    return ids


def _audit(sim: WallboxSimulator) -> tuple[int, int, int]:
    """(most data reads of one account in a rolling 60 s, refused requests, data requests)."""
    worst = refused = total = 0
    reads: dict[str, list[datetime]] = defaultdict(list)
    for email, log in sim.request_log.items():
        for record in log:
            if record.path.startswith("/users/"):
                continue  # sign-in and refresh are not data requests (no budget upstream)
            total += 1
            refused += record.status in (429, 403)
            if record.method == "GET":
                reads[email].append(record.time)
    for times in reads.values():
        times.sort()
        left = 0
        for right, moment in enumerate(times):
            while (moment - times[left]).total_seconds() >= 60:
                left += 1
            worst = max(worst, right - left + 1)
    return worst, refused, total


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline-runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--window-days", type=int, default=DEFAULT_WINDOW.days)
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    args = parser.parse_args(argv)
    if args.quick:
        args.accounts, args.days, args.runs, args.baseline_runs = 3, 40, 1, 1
        args.latency_ms = 1
    run_http(args)
    run_rate_limited(args)


if __name__ == "__main__":
    main()
