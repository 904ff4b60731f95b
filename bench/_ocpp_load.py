"""The load generator of the OCPP capacity benchmarks (`ocpp_bench`, `ocpp_cluster_bench`).

It shares the machine's cores with the servers it measures, so it is kept cheap: every charge
point is a plain `websockets` client in this one event loop (no `ocpp` ChargePoint, no
pydantic or jsonschema per message), and each MeterValues frame is a pre-encoded template with
the message id, transaction, timestamp and meter reading put in (the same bytes `json.dumps`
made of the payload before: checked below). What is measured is unchanged: per answer, the
time from sending the frame to receiving its CALLRESULT.

A level runs in three phases: connect (Basic auth, argon2-checked by the server, and a
StartTransaction per charge point); settle (until every server process is idle, so the
connects' argon2 and their aftermath are over); then the measurement window, in which each
charge point sends every INTERVAL_S. The CPU each server process (and each PostgreSQL backend
given), this generator and the whole machine used in the window is read from /proc, so a
reader sees which one was the bottleneck.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import json
import os
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

SECRET = "bench-secret-0123456789abcdefghij"  # noqa: S105  (a throwaway benchmark secret)
INTERVAL_S = 10.0
IDLE_CPU_PCT = 15.0  # a server under this (of one core) for two polls in a row has settled
SETTLE_MAX_S = 120.0


def _payload(uid: Any, tx: Any, at: Any, wh: Any) -> list[Any]:
    sampled = [
        {"measurand": "Energy.Active.Import.Register", "unit": "Wh", "value": wh},
        {"measurand": "Power.Active.Import", "unit": "W", "value": "11040"},
        {"measurand": "Current.Import", "unit": "A", "value": "16.0"},
    ]
    payload = {
        "connectorId": 1,
        "transactionId": tx,
        "meterValue": [{"timestamp": at, "sampledValue": sampled}],
    }
    return [2, uid, "MeterValues", payload]


# The frame with its four fields as %-placeholders (no other % in it), encoded once.
_TEMPLATE = (
    json.dumps(_payload("@UID@", "@TX@", "@AT@", "@WH@"))
    .replace('"@UID@"', '"%s"')
    .replace('"@TX@"', "%d")
    .replace('"@AT@"', '"%s"')
    .replace('"@WH@"', '"%d"')
)


def now_stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def meter_frame(uid: str, tx: int, wh: int) -> str:
    """A MeterValues CALL (message ids are digits: nothing to escape)."""
    return _TEMPLATE % (uid, tx, now_stamp(), wh)


_sample = ("7", 42, "2026-12-07T06:00:00.000000Z", 1234)
assert _TEMPLATE % _sample == json.dumps(_payload(_sample[0], 42, _sample[2], "1234"))


async def open_charge_point(port: int, cp_id: str) -> tuple[ClientConnection, int]:
    """Connect with Basic auth and start a transaction; the socket and the transaction id."""
    token = base64.b64encode(f"{cp_id}:{SECRET}".encode()).decode()
    ws = await connect(
        f"ws://127.0.0.1:{port}/{cp_id}",
        subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        additional_headers={"Authorization": f"Basic {token}"},
        compression=None,
        ping_interval=None,
        open_timeout=120,
        max_queue=None,
    )
    start = {"connectorId": 1, "idTag": "B", "meterStart": 1000, "timestamp": now_stamp()}
    await ws.send(json.dumps([2, "s", "StartTransaction", start]))
    reply = json.loads(await ws.recv())
    return ws, int(reply[2]["transactionId"])


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) the process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_s() -> float:
    """CPU seconds all cores of the machine spent busy so far (not idle or iowait; /proc/stat),
    so what the other tenants of a shared machine took shows next to the processes measured."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _cpu_all(pids: Sequence[int]) -> list[float]:
    readings = []
    for pid in pids:
        try:
            readings.append(cpu_s(pid))
        except OSError:  # a PostgreSQL backend that ended
            readings.append(float("nan"))
    return readings


async def settle(pids: Sequence[int], poll_s: float = 0.5) -> float:
    """Wait until every process in `pids` used < IDLE_CPU_PCT of a core for two polls in a
    row (at most SETTLE_MAX_S); the seconds waited."""
    started = time.perf_counter()
    quiet = 0
    before = _cpu_all(pids)
    while quiet < 2 and time.perf_counter() - started < SETTLE_MAX_S:
        await asyncio.sleep(poll_s)
        after = _cpu_all(pids)
        busiest = max((b - a for a, b in zip(before, after, strict=True)), default=0.0)
        quiet = quiet + 1 if busiest / poll_s * 100 < IDLE_CPU_PCT else 0
        before = after
    return round(time.perf_counter() - started, 1)


async def capacity_level(
    ports: list[int],
    count: int,
    measure_s: float,
    server_pids: Sequence[int] = (),
    db_pids_of: Callable[[], Sequence[int]] | None = None,
) -> dict[str, Any]:
    """`count` charge points, the n-th on `ports[n % len(ports)]` (one server, or several
    processes of one book: `ocpp_cluster_bench`), each sending MeterValues every INTERVAL_S
    during the window. `server_pids`, and the PostgreSQL backends `db_pids_of()` finds once
    all are connected: their CPU in the window."""
    started = time.perf_counter()
    semaphore = asyncio.Semaphore(64)

    async def open_one(n: int) -> tuple[ClientConnection, int]:
        async with semaphore:
            return await open_charge_point(ports[n % len(ports)], f"B-{n:05d}")

    opened = await asyncio.gather(*(open_one(n) for n in range(count)), return_exceptions=True)
    connections = [o for o in opened if not isinstance(o, BaseException)]
    connect_s = time.perf_counter() - started
    # The generator's own heap (thousands of connections) out of its collector's walks: a full
    # collection in here would stall every send and show as the server's latency.
    gc.collect()
    gc.freeze()
    settle_s = await settle(server_pids) if server_pids else 0.0
    db_pids = list(db_pids_of()) if db_pids_of is not None else []
    latencies: list[float] = []
    errors = 0
    watched = [*server_pids, *db_pids, os.getpid()]
    cpu_before, machine_before = _cpu_all(watched), machine_busy_s()
    window_start = time.perf_counter()
    deadline = window_start + measure_s

    async def run(index: int, ws: ClientConnection, tx: int) -> None:
        nonlocal errors
        await asyncio.sleep(INTERVAL_S * index / len(connections))  # spread evenly
        n = 0
        while time.perf_counter() < deadline:
            n += 1
            uid = str(n)
            frame = meter_frame(uid, tx, 1000 + n * 30)
            sent = time.perf_counter()
            try:
                await ws.send(frame)
                reply = json.loads(await ws.recv())
            except Exception:
                errors += 1
                return
            latencies.append(time.perf_counter() - sent)
            if reply[0] != 3 or reply[1] != uid:
                errors += 1
            await asyncio.sleep(max(0.0, INTERVAL_S - (time.perf_counter() - sent)))

    await asyncio.gather(*(run(i, ws, tx) for i, (ws, tx) in enumerate(connections)))
    window_s = time.perf_counter() - window_start
    used = [b - a for a, b in zip(cpu_before, _cpu_all(watched), strict=True)]
    machine = machine_busy_s() - machine_before
    await asyncio.gather(*(ws.close() for ws, _ in connections), return_exceptions=True)
    gc.unfreeze()
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else float("inf")

    def pct(seconds: list[float]) -> list[float]:
        return [round(s / window_s * 100, 1) for s in seconds]

    servers = len(server_pids)
    return {
        "charge_points": count,
        "connected": len(connections),
        "connect_s": round(connect_s, 1),
        "settle_s": settle_s,
        "messages": len(latencies),
        "errors": errors,
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p99_ms": round(p99 * 1000, 1),
        # % of one core during the window, per process (PostgreSQL: its backends summed)
        "server_cpu_pct": pct(used[:servers]),
        "db_cpu_pct": round(sum(x for x in pct(used[servers:-1]) if x == x), 1)  # NaN: ended
        if db_pids
        else None,
        "generator_cpu_pct": pct(used[-1:])[0],
        "machine_cpu_pct": pct([machine])[0],  # every process on all cores (max 100 x nproc)
    }
