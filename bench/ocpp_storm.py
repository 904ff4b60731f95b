"""The reconnect storm: N charge points dialling at once (`python -m bench.ocpp_bench --storm N`).

Each case is timed from the first dial to the last open WebSocket (the handshake, with its
Basic-auth check, done); the clients dial all at once (no client-side cap) and, like chargers,
dial again 1-2 s after a refused or dropped handshake (the failed attempts are counted):

- **cold**: a fresh central system process, N registered chargers, all N connect (every secret
  is checked against its argon2 hash for the first time in this process: the 47.7 s case);
- **reconnect**: the same process, all N drop and connect again (a proxy restart, a network
  blip: the in-memory cache holds every secret);
- **restart**: the process is stopped cleanly (SIGTERM) and a new one started on the same
  book, and all N connect: with `--storm-warm` (`CHARGEBOOK_OCPP_WARM_RESTART`) the new
  process took the old one's verified secrets over, without it this is a second cold start.

The bare `ocpp`-library server (no authentication) gets cold and reconnect: the floor. Every
JSON line carries the errors of a wave (none expected) and the load average.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import random
import signal
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

STORM_DEADLINE_S = 900.0  # per wave; a charger that is not in by then counts as failed


async def _dial(port: int, cp_id: str, secret: str, timeout_s: float) -> ClientConnection:
    token = base64.b64encode(f"{cp_id}:{secret}".encode()).decode()
    return await connect(
        f"ws://127.0.0.1:{port}/{cp_id}",
        subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        additional_headers={"Authorization": f"Basic {token}"},
        compression=None,
        ping_interval=None,
        open_timeout=timeout_s,
        max_queue=None,
    )


async def _charger(
    port: int, cp_id: str, secret: str, deadline: float, errors: Counter[str]
) -> ClientConnection | None:
    """Dial until the connection opens, as a charger does (1-2 s pause after a failure)."""
    while (left := deadline - time.perf_counter()) > 0:
        try:
            return await _dial(port, cp_id, secret, left)
        except Exception as exc:
            errors[f"{type(exc).__name__}: {exc}"[:80]] += 1
            await asyncio.sleep(1.0 + random.random())
    return None


async def _wave(port: int, count: int, secret: str) -> tuple[float, list[ClientConnection], str]:
    """All `count` chargers dial at once; seconds until the last is in, the connections, and
    the failed attempts (each retried) by kind."""
    errors: Counter[str] = Counter()
    started = time.perf_counter()
    deadline = started + STORM_DEADLINE_S
    opened = await asyncio.gather(
        *(_charger(port, f"B-{n:05d}", secret, deadline, errors) for n in range(count))
    )
    elapsed = time.perf_counter() - started
    connections = [o for o in opened if o is not None]
    if len(connections) < count:
        errors[f"gave up after {STORM_DEADLINE_S:.0f} s"] = count - len(connections)
    return elapsed, connections, "; ".join(f"{n} x {e}" for e, n in errors.most_common(3))


async def _close(connections: list[ClientConnection]) -> None:
    await asyncio.gather(*(ws.close() for ws in connections), return_exceptions=True)
    await asyncio.sleep(1.0)  # let the server see every close


async def _cold_then_reconnect(port: int, count: int, secret: str) -> dict[str, Any]:
    cold_s, connections, cold_errors = await _wave(port, count, secret)
    await _close(connections)
    reconnect_s, connections, reconnect_errors = await _wave(port, count, secret)
    await _close(connections)
    return {
        "cold_s": round(cold_s, 2),
        "cold_errors": cold_errors,
        "reconnect_s": round(reconnect_s, 2),
        "reconnect_errors": reconnect_errors,
    }


async def _restarted(port: int, count: int, secret: str) -> dict[str, Any]:
    restart_s, connections, restart_errors = await _wave(port, count, secret)
    await _close(connections)
    return {"restart_s": round(restart_s, 2), "restart_errors": restart_errors}


def _stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGTERM)  # a clean stop: the warm restart writes its snapshot
    try:
        process.wait(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run_storm(
    count: int,
    runs: int,
    start_server: Callable[[str, int, str], tuple[subprocess.Popen[str], int]],
    load: Callable[[], str],
    secret: str,
    *,
    warm: bool,
    bare: bool = True,
    restart: bool = True,
) -> None:
    """`runs` storms of `count` charge points: chargebook (cold start, reconnect to the same
    process, then a clean restart on the same book: warm with `warm`, else cold again) and the
    bare server (cold, reconnect), taking turns; one JSON line per storm, then the medians."""
    if warm:
        os.environ["CHARGEBOOK_OCPP_WARM_RESTART"] = "true"  # the children read it
    figures: dict[str, list[float]] = {}
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            before = load()
            process, port = start_server("chargebook", count, tmp)
            try:
                result = asyncio.run(_cold_then_reconnect(port, count, secret))
            finally:
                _stop(process)
            if restart:
                process, port = start_server("chargebook", count, tmp)
                try:
                    result |= asyncio.run(_restarted(port, count, secret))
                finally:
                    process.kill()
                    process.wait()
        _record(figures, "chargebook", count, result, warm, f"{before} -> {load()}")
        if not bare:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            before = load()
            process, port = start_server("bare", count, tmp)
            try:
                result = asyncio.run(_cold_then_reconnect(port, count, secret))
            finally:
                process.kill()
                process.wait()
        _record(figures, "bare", count, result, warm, f"{before} -> {load()}")
    for name, values in figures.items():
        print(f"storm {count} {name}: median {statistics.median(values):.2f} s {sorted(values)}")


def _record(
    figures: dict[str, list[float]],
    server: str,
    count: int,
    result: dict[str, Any],
    warm: bool,
    load: str,
) -> None:
    line = {"storm": count, "server": server, "warm_restart": warm, **result, "load": load}
    print(json.dumps(line), flush=True)
    for key, value in result.items():
        if key.endswith("_s"):
            figures.setdefault(f"{server} {key[:-2]}", []).append(value)
