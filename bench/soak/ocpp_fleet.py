"""OCPP under chaos: `chargebook ocpp serve` in a subprocess and a fleet of simulated charge
points (in a spawned child process) that drop their connection mid-transaction, stay offline
a few seconds, and reconnect with their buffered MeterValues and StopTransaction.

A drop waits for the charge point's call in flight to be answered first (its send lock): a
cut StartTransaction would be a transaction the book holds and the charge point never knew
(the simulator does not resend a StartTransaction). Starts that failed anyway (no answer in
time) are counted, so the check can tell such an orphan from a lost or doubled transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import random
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType
from typing import Any

from bench.soak.workers import die_with_parent, popen_child

SECRET = "soak-charge-point-secret-0123456789"  # noqa: S105  (a throwaway test secret)


@dataclass
class FleetResult:
    """What the charge points did: completed transactions and the chaos they went through."""

    completed: dict[str, tuple[int, int]] = field(default_factory=dict)  # "CP:tid" -> (start, stop)
    drops: int = 0
    drops_mid_transaction: int = 0
    failed_starts: int = 0
    buffered_sent: int = 0
    unflushed: int = 0  # calls still in an outbox at the end (must be 0)
    open_at_end: int = 0  # transactions the charge points could not stop (must be 0)
    stuck: list[str] = field(default_factory=list)  # charge points busy at the end, and where
    errors: int = 0  # calls the central system answered with a CALLERROR
    error_examples: list[str] = field(default_factory=list)


def charge_point_ids(count: int) -> list[str]:
    return [f"SOAK-{n:04d}" for n in range(1, count + 1)]


def register_charge_points(database: Any, count: int) -> None:
    """Register the fleet's charge points in the book (one argon2 hash shared by all)."""
    from chargebook.central_system import hash_secret
    from chargebook.clock import SystemClock
    from chargebook.db.ocpp.chargers import OcppChargerRepository

    secret_hash = hash_secret(SECRET)
    with database.transaction() as session:
        repository = OcppChargerRepository(session, SystemClock())
        for charge_point_id in charge_point_ids(count):
            repository.register(charge_point_id, secret_hash=secret_hash)


class CentralSystemProcess:
    """`chargebook ocpp serve` on a free loopback port; `url` is ws://127.0.0.1:PORT."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        from chargebook.simulator.serve import free_port

        self.port = free_port()
        self.url = f"ws://127.0.0.1:{self.port}"
        self._env, self._log_path = env, log_path
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> CentralSystemProcess:
        self.start()
        return self.wait_ready()

    def start(self) -> None:
        """Start the process (returns at once; `wait_ready` waits for its port); idempotent."""
        if self._process is not None:
            return
        command = [sys.executable, "-m", "chargebook", "ocpp", "serve"]
        command += ["--host", "127.0.0.1", "--port", str(self.port)]
        with self._log_path.open("ab") as log:
            self._process = popen_child(
                command, env=self._env, stdout=log, stderr=subprocess.STDOUT
            )

    def wait_ready(self, timeout_s: float = 90) -> CentralSystemProcess:
        """Wait until the port accepts connections.

        Raises:
            RuntimeError: the process exited or did not listen within `timeout_s`.
        """
        assert self._process is not None, "start() first"
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the central system exited ({self._log_path})")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return self
            time.sleep(0.2)
        raise RuntimeError("the central system did not start listening")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=30)


# -- the charge point fleet (runs in the child) ---------------------------------------------


class _Fleet:
    def __init__(self, url: str, count: int, drop_every_s: float, seed: int) -> None:
        from chargebook.simulator.ocpp import ChargePointConfig, ScaledClock, SimulatedChargePoint

        config = ChargePointConfig(
            password=SECRET,
            meter_interval_s=2.0,
            car_needs_wh=60.0,  # 11 kW: about 20 s of charging per session
            idle_between_sessions_s=3.0,
            response_timeout_s=60.0,  # a loaded machine answers slowly; a timeout is a fault
        )
        clock = ScaledClock(1.0)
        self.points = [
            SimulatedChargePoint(f"{url}/{cp_id}", config, clock)
            for cp_id in charge_point_ids(count)
        ]
        self.offline_until = {cp.id: 0.0 for cp in self.points}
        self.result = FleetResult()
        self.drop_every_s = drop_every_s
        self.rng = random.Random(seed)
        self.sessions_stop = asyncio.Event()  # finish the running session, start no new one
        self.chaos_stop = asyncio.Event()
        self.all_stop = asyncio.Event()
        self._drivers: list[asyncio.Task[None]] = []

    async def keep_connected(self, cp: Any) -> None:
        booted = False
        while not self.all_stop.is_set():
            if not cp.connected.is_set() and time.monotonic() >= self.offline_until[cp.id]:
                try:
                    await cp.connect()
                except Exception:  # refused, down, timed out: try again soon
                    await asyncio.sleep(self.rng.uniform(0.5, 1.5))
                    continue
                if not booted:
                    await cp.boot()
                    await cp.notify_status(cp.status)
                    booted = True
                await self._flush(cp)
            elif cp.connected.is_set() and cp.outbox:
                await self._flush(cp)
            await asyncio.sleep(0.25)

    async def _flush(self, cp: Any) -> None:
        try:
            self.result.buffered_sent += await cp.flush_outbox()
        except Exception as exc:  # a CALLERROR: the central system refused a buffered call
            self._error(cp, "flush", exc)
            await asyncio.sleep(1.0)

    def _error(self, cp: Any, where: str, exc: BaseException) -> None:
        self.result.errors += 1
        if len(self.result.error_examples) < 5:
            self.result.error_examples.append(f"{cp.id} {where}: {type(exc).__name__}: {exc}")

    async def drive(self, cp: Any) -> None:
        while not self.sessions_stop.is_set():
            try:
                await self._drive(cp)
            except Exception as exc:  # a CALLERROR answer; the charge point carries on
                self._error(cp, "session", exc)
                await asyncio.sleep(1.0)

    async def _drive(self, cp: Any) -> None:
        await cp.connected.wait()
        await asyncio.sleep(self.rng.uniform(0, 3))  # spread the fleet's sessions
        while not self.sessions_stop.is_set():
            was_online = cp.connected.is_set()
            await cp.plug_in()
            if cp.transaction_id is None:  # offline, or the answer never came
                self.result.failed_starts += was_online
                await cp.unplug()
                await asyncio.sleep(1.0)
                continue
            while cp.transaction_id is not None and not self.sessions_stop.is_set():
                await asyncio.sleep(cp.config.meter_interval_s)
                await cp.send_meter_values()
                if cp.session_energy_wh() >= cp.config.car_needs_wh:
                    break
            transaction_id, meter_start = cp.transaction_id, cp.meter_start_wh
            await cp.unplug()  # StopTransaction, buffered while offline
            if transaction_id is not None:
                key = f"{cp.id}:{transaction_id}"
                self.result.completed[key] = (meter_start, int(cp.meter.register_wh))
            if not self.sessions_stop.is_set():
                await asyncio.sleep(cp.config.idle_between_sessions_s)

    async def chaos(self) -> None:
        while not self.chaos_stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.chaos_stop.wait(), self.drop_every_s)
            if self.chaos_stop.is_set():
                return
            online = [cp for cp in self.points if cp.connected.is_set()]
            charging = [cp for cp in online if cp.transaction_id is not None]
            if not online:
                continue
            cp = self.rng.choice(charging or online)
            async with cp._send_lock:  # never cut a call in flight (see the module docstring)
                await cp.disconnect()
            self.offline_until[cp.id] = time.monotonic() + self.rng.uniform(2.0, 8.0)
            self.result.drops += 1
            self.result.drops_mid_transaction += cp.transaction_id is not None

    async def finish(self) -> FleetResult:
        """End the sessions, reconnect everyone, deliver every buffered call."""
        self.chaos_stop.set()
        self.sessions_stop.set()
        for cp in self.points:
            self.offline_until[cp.id] = 0.0
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            busy = [cp for cp in self.points if cp.outbox or cp.transaction_id is not None]
            if not busy and not any(t for t in self._drivers if not t.done()):
                break
            await asyncio.sleep(0.5)
        for cp, driver in zip(self.points, self._drivers, strict=True):
            if cp.outbox or cp.transaction_id is not None or not driver.done():
                frames = driver.get_stack(limit=3)
                where = [f"{f.f_code.co_name}:{f.f_lineno}" for f in frames]
                self.result.stuck.append(
                    f"{cp.id} tx={cp.transaction_id} outbox={len(cp.outbox)} "
                    f"online={cp.connected.is_set()} at {where}"
                )
        self.result.unflushed = sum(len(cp.outbox) for cp in self.points)
        self.result.open_at_end = sum(cp.transaction_id is not None for cp in self.points)
        self.all_stop.set()
        return self.result

    async def run(self, conn: Connection) -> None:
        loop = asyncio.get_running_loop()
        keepers = [asyncio.create_task(self.keep_connected(cp)) for cp in self.points]
        self._drivers = [asyncio.create_task(self.drive(cp)) for cp in self.points]
        chaos = asyncio.create_task(self.chaos())
        conn.send("started")
        while True:
            query = await loop.run_in_executor(None, conn.recv)
            if query == "chaos_off":
                self.chaos_stop.set()
                conn.send(self.result.drops)
            elif query == "finish":
                conn.send(await self.finish())
                break
        for task in [*keepers, *self._drivers, chaos]:
            task.cancel()
        await asyncio.gather(*keepers, *self._drivers, chaos, return_exceptions=True)
        await asyncio.gather(*(cp.close() for cp in self.points), return_exceptions=True)


def _run_fleet(url: str, count: int, drop_every_s: float, seed: int, conn: Connection) -> None:
    import logging

    die_with_parent()  # never outlive a harness killed by a test timeout
    logging.getLogger("ocpp").setLevel(logging.CRITICAL)  # drops are the point, not news
    asyncio.run(_Fleet(url, count, drop_every_s, seed).run(conn))


class ChargePointFleet:
    """`count` simulated charge points against `url` in a spawned child process."""

    def __init__(self, url: str, count: int, drop_every_s: float, seed: int = 16) -> None:
        context = multiprocessing.get_context("spawn")  # the parent has threads by now
        self._conn, child_conn = context.Pipe()
        self._process = context.Process(
            target=_run_fleet,
            args=(url, count, drop_every_s, seed, child_conn),
            daemon=True,
            name="soak-ocpp-fleet",
        )
        self._started = self._ready = False

    def __enter__(self) -> ChargePointFleet:
        self.start()
        return self.wait_ready()

    def start(self) -> None:
        """Spawn the fleet (returns at once; the charge points retry until the central system
        listens); idempotent."""
        if not self._started:
            self._started = True
            self._process.start()

    def wait_ready(self, timeout_s: float = 90) -> ChargePointFleet:
        """Wait until the fleet runs.

        Raises:
            RuntimeError: it did not start within `timeout_s`.
        """
        if self._ready:
            return self
        if not self._conn.poll(timeout_s):
            self._process.kill()
            raise RuntimeError("the charge point fleet did not start")
        self._conn.recv()
        self._ready = True
        return self

    def chaos_off(self) -> int:
        """No more drops; the number of drops so far."""
        self._conn.send("chaos_off")
        result: int = self._conn.recv()
        return result

    def finish(self, wait: Callable[[float], None] = time.sleep) -> FleetResult:
        """Let every charge point end its session and deliver its outbox; what they did.
        `wait(seconds)` is called while waiting (the harness keeps its workers going).

        Raises:
            RuntimeError: no answer within 180 s.
        """
        self._conn.send("finish")
        deadline = time.monotonic() + 180
        while not self._conn.poll(0):
            if time.monotonic() > deadline:
                raise RuntimeError("the charge point fleet did not finish")
            wait(0.5)
        result: FleetResult = self._conn.recv()
        return result

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._process.join(timeout=30)
        if self._process.is_alive():
            self._process.kill()
