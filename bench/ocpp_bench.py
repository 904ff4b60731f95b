"""OCPP central system benchmarks (loopback only, bounded in time).

1. Capacity: N charge points connected at once, each sending MeterValues (in a transaction)
   every 10 s; the 99th percentile of the answer time must stay under 200 ms. N steps up
   through --levels; each level connects all charge points (Basic auth, argon2-verified
   secrets), then measures for --measure-s seconds.
2. Throughput: --clients connections send MeterValues back to back for --burst-s seconds, to
   chargebook's central system (SQLite book, group commit) and to a bare `ocpp`-library central
   system that only answers; the ratio is our overhead.

The central system runs in a separate process (`python -m bench.ocpp_bench server ...`); the
load generator (`bench/_ocpp_load.py`) is raw-websockets clients in this process, the same for
chargebook and the bare server.

    .venv/bin/python -m bench.ocpp_bench [--levels 500,1000,2000,3000] [--measure-s 30]
    .venv/bin/python -m bench.ocpp_bench --storm 2000 [--storm-runs 3]   # reconnect storm only
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection

from bench._ocpp_load import SECRET, capacity_level, cpu_s, meter_frame, open_charge_point

# -- server side (child process) ----------------------------------------------------------


async def _serve_chargebook(count: int, data_dir: str) -> None:
    from chargebook.central_system import CentralSystem
    from chargebook.clock import SystemClock
    from chargebook.db import open_database
    from chargebook.db.ocpp.chargers import OcppChargerRepository
    from chargebook.settings import Settings

    settings = Settings(data_dir=Path(data_dir))
    database = open_database(settings)
    with database.transaction() as session:
        repository = OcppChargerRepository(session, SystemClock())
        if repository.credentials("B-00000") is None:  # a restart on the same book: kept
            secret_hash = stored_secret(SECRET)  # one hash reused: setup, not what is measured
            for n in range(count):
                repository.register(f"B-{n:05d}", secret_hash=secret_hash)
    extra: dict[str, Any] = {}
    if getattr(settings, "ocpp_warm_restart", False):  # absent in a baseline tree
        from chargebook.book_keys import open_secret_box
        from chargebook.central_system.warm_restart import SNAPSHOT_NAME, WarmRestart

        box = open_secret_box(settings, database)
        extra["warm_restart"] = WarmRestart(settings.data_dir / SNAPSHOT_NAME, box)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with CentralSystem(settings, database, settle_heap=True, **extra) as central:
        port = await central.start("127.0.0.1", 0)
        print(f"READY {port}", flush=True)
        await stop.wait()  # SIGTERM: a clean stop (the warm restart's snapshot is written)


def stored_secret(secret: str) -> str:
    """The secret as `ocpp add` stores it: the fast form for generated secrets where the tree
    has it (auth.py), argon2 in a baseline tree from before."""
    from chargebook.central_system import auth

    fast = getattr(auth, "hash_generated_secret", None)
    return fast(secret) if fast is not None else auth.hash_secret(secret)


async def _serve_bare() -> None:
    from ocpp.routing import on
    from ocpp.v16 import ChargePoint, call_result
    from ocpp.v16.enums import Action
    from websockets.asyncio.server import serve

    class Bare(ChargePoint):  # type: ignore[misc]
        @on(Action.meter_values)  # type: ignore[untyped-decorator]
        def on_meter_values(self, **kwargs: Any) -> Any:
            return call_result.MeterValues()

        @on(Action.start_transaction)  # type: ignore[untyped-decorator]
        def on_start(self, **kwargs: Any) -> Any:
            return call_result.StartTransaction(
                transaction_id=1, id_tag_info={"status": "Accepted"}
            )

    async def handler(ws: Any) -> None:
        with contextlib.suppress(Exception):  # a closed connection ends the handler
            await Bare(ws.request.path.rsplit("/", 1)[-1], ws).start()

    server = await serve(handler, "127.0.0.1", 0, subprotocols=["ocpp1.6"])  # type: ignore[list-item]
    print(f"READY {next(iter(server.sockets)).getsockname()[1]}", flush=True)
    await asyncio.get_running_loop().create_future()


def _start_server(kind: str, count: int, data_dir: str) -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.ocpp_bench", "server", kind, str(count), data_dir],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("READY"):
        process.kill()
        raise RuntimeError(f"server did not start: {line!r}")
    return process, int(line.split()[1])


async def _throughput(
    port: int, clients: int, burst_s: float, prefix: str, pid: int
) -> tuple[float, float]:
    """Messages per second, and the server's CPU milliseconds per message."""
    connections = [await open_charge_point(port, f"{prefix}{n:05d}") for n in range(clients)]
    count = 0
    cpu_before = cpu_s(pid)
    deadline = time.perf_counter() + burst_s

    async def blast(ws: ClientConnection, tx: int) -> None:
        nonlocal count
        n = 0
        while time.perf_counter() < deadline:
            n += 1
            await ws.send(meter_frame(str(n), tx, 1000 + n))
            await ws.recv()
            count += 1

    started = time.perf_counter()
    await asyncio.gather(*(blast(ws, tx) for ws, tx in connections))
    elapsed = time.perf_counter() - started
    cpu_ms = (cpu_s(pid) - cpu_before) * 1000
    await asyncio.gather(*(ws.close() for ws, _ in connections), return_exceptions=True)
    return count / elapsed, cpu_ms / max(count, 1)


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _capacity_run(kind: str, level: int, measure_s: float) -> dict[str, Any]:
    """One capacity measurement on a fresh server of `kind` ("chargebook" or "bare")."""
    with tempfile.TemporaryDirectory() as tmp:
        process, port = _start_server(kind, level, tmp)
        try:
            load_before = _load()
            result = asyncio.run(capacity_level([port], level, measure_s, [process.pid]))
        finally:
            process.kill()
            process.wait()
    result = {"server": kind, **result, "load": f"{load_before} -> {_load()}"}
    print(json.dumps(result), flush=True)
    return result


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "server":
        kind, count, data_dir = sys.argv[2], int(sys.argv[3]), sys.argv[4]
        asyncio.run(_serve_bare() if kind == "bare" else _serve_chargebook(count, data_dir))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="500,1000,2000,3000")
    parser.add_argument("--measure-s", type=float, default=30.0)
    parser.add_argument("--capacity-runs", type=int, default=1, help="per level (median p99)")
    parser.add_argument(
        "--no-capacity-baseline",
        action="store_true",
        help="skip the bare `ocpp` server at each level (the same load, for comparison)",
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--burst-s", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=3, help="throughput runs (median)")
    parser.add_argument(
        "--storm",
        type=int,
        default=0,
        help="reconnect storm of N charge points (bench/ocpp_storm.py)",
    )
    parser.add_argument("--storm-runs", type=int, default=3, help="storms per server (median)")
    parser.add_argument(
        "--storm-warm", action="store_true", help="with CHARGEBOOK_OCPP_WARM_RESTART on"
    )
    parser.add_argument("--storm-no-bare", action="store_true", help="skip the bare server")
    parser.add_argument("--storm-no-restart", action="store_true", help="skip the restart case")
    args = parser.parse_args()
    if args.storm:
        from bench.ocpp_storm import run_storm

        print(f"machine: nproc={os.cpu_count()}, python {sys.version.split()[0]}, load {_load()}")
        run_storm(
            args.storm,
            args.storm_runs,
            _start_server,
            _load,
            SECRET,
            warm=args.storm_warm,
            bare=not args.storm_no_bare,
            restart=not args.storm_no_restart,
        )
        return
    levels = [int(x) for x in args.levels.split(",") if x.strip()]  # "" skips capacity
    print(f"machine: nproc={os.cpu_count()}, python {sys.version.split()[0]}, load {_load()}")
    for level in levels:
        ours_p99: list[float] = []
        bare_p99: list[float] = []
        connected = True
        for _ in range(args.capacity_runs):
            result = _capacity_run("chargebook", level, args.measure_s)
            ours_p99.append(result["p99_ms"])
            connected = connected and result["connected"] == level
            if not args.no_capacity_baseline:
                bare_p99.append(_capacity_run("bare", level, args.measure_s)["p99_ms"])
        median = statistics.median(ours_p99)
        summary = f"capacity {level}: chargebook p99 median {median:.1f} ms {sorted(ours_p99)}"
        if bare_p99:
            summary += (
                f"; bare ocpp p99 median {statistics.median(bare_p99):.1f} ms {sorted(bare_p99)}"
            )
        print(summary, flush=True)
        if median >= 200 or not connected:
            break
    rates: dict[str, list[float]] = {"chargebook": [], "bare": []}
    cpu: dict[str, list[float]] = {"chargebook": [], "bare": []}
    for run in range(args.runs):
        for kind in ("chargebook", "bare"):
            with tempfile.TemporaryDirectory() as tmp:
                process, port = _start_server(kind, args.clients, tmp)
                try:
                    rate, cpu_ms = asyncio.run(
                        _throughput(port, args.clients, args.burst_s, "B-", process.pid)
                    )
                finally:
                    process.kill()
                    process.wait()
            rates[kind].append(rate)
            cpu[kind].append(cpu_ms)
            print(
                f"throughput run {run + 1} {kind}: {rate:.0f} msg/s,"
                f" server CPU {cpu_ms:.2f} ms/msg, load {_load()}",
                flush=True,
            )
    ours, bare = statistics.median(rates["chargebook"]), statistics.median(rates["bare"])
    print(
        f"throughput median: chargebook {ours:.0f} msg/s, bare ocpp {bare:.0f} msg/s,"
        f" ratio {ours / bare:.2f}; server CPU per message: chargebook"
        f" {statistics.median(cpu['chargebook']):.2f} ms,"
        f" bare {statistics.median(cpu['bare']):.2f} ms"
    )


if __name__ == "__main__":
    main()
