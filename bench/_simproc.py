"""Shared benchmark helpers: a served simulator in its own process, ground truth, memory.

The simulator runs under uvicorn (`ServedApp`) in a spawned child process, so the client
under test and the server do not share one interpreter lock on this 2-core machine: what
is measured is the client, over real loopback HTTP, with the simulator's real latency
(`asyncio.sleep` per request). The child's clock is fixed, so its sessions do not change
while a benchmark runs; it answers ground-truth queries over a pipe.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import resource
import statistics
import tempfile
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from chargebook.simulator.wallbox import SimulatorConfig

STOP = "stop"


def served_item(session_id: int, attributes: dict[str, Any]) -> dict[str, Any]:
    """A history item exactly as `v4/sessions/stats` serves it (the raw the book keeps)."""
    return {"type": "charger_log_session", "id": str(session_id), "attributes": attributes}


def truth_of(sim: Any) -> dict[str, str]:
    """External id -> raw sha256 of every ended session on every owner's charger."""
    from chargebook.sync.validation import raw_sha256

    truth: dict[str, str] = {}
    for account in sim.accounts:
        for charger_id in account.charger_ids:
            for planned, attributes in sim.ended_sessions(charger_id):
                truth[str(planned.id)] = raw_sha256(served_item(planned.id, attributes))
    return truth


def _serve(conn: Connection, config: SimulatorConfig, now: datetime) -> None:
    # Runs in the child: the simulator and uvicorn, answering queries until told to stop.
    from chargebook.clock import FixedClock
    from chargebook.simulator.serve import ServedApp
    from chargebook.simulator.wallbox import WallboxSimulator

    sim = WallboxSimulator(config, clock=FixedClock(now))
    with ServedApp(sim.app) as served:
        conn.send(served.url)
        while (query := conn.recv()) != STOP:
            if query == "truth":
                conn.send(truth_of(sim))
            elif query == "requests":
                with sim.lock:
                    conn.send(sum(len(log) for log in sim.request_log.values()))
            elif query == "cpu":
                usage = resource.getrusage(resource.RUSAGE_SELF)
                conn.send(usage.ru_utime + usage.ru_stime)
            elif query == "accounts":
                conn.send([(a.email, a.password) for a in sim.accounts])


class ServerProcess:
    """A server forked into a child process that answers queries over a pipe.

    `target(conn, *args)` runs in the child: it sends its URL first, then answers each
    query until it receives `STOP`. Enter before any thread or event loop exists in the
    parent (fork: the child starts with the modules already imported, spawn would re-import
    for about a second). Raises RuntimeError when the child does not come up within
    `start_timeout_s`.
    """

    def __init__(
        self,
        target: Callable[..., None],
        args: tuple[Any, ...],
        name: str,
        start_timeout_s: float = 60,
    ) -> None:
        self._start_timeout_s = start_timeout_s
        context = multiprocessing.get_context("fork")
        self._conn, child_conn = context.Pipe()
        self._process = context.Process(
            target=target, args=(child_conn, *args), daemon=True, name=name
        )
        self._lock = threading.Lock()  # a harness's sampler thread may ask too
        self.url = ""

    def __enter__(self) -> Self:
        self._process.start()
        if not self._conn.poll(self._start_timeout_s):
            self._process.kill()
            raise RuntimeError(f"the {self._process.name} process did not start")
        self.url = self._conn.recv()
        return self

    def _ask(self, query: str) -> Any:
        with self._lock:
            self._conn.send(query)
            return self._conn.recv()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with contextlib.suppress(OSError):  # the child may already be gone
            self._conn.send(STOP)
        self._process.join(timeout=15)
        if self._process.is_alive():
            self._process.kill()


class SimProcess(ServerProcess):
    """The Wallbox simulator served by uvicorn on loopback in a child process, frozen in time."""

    def __init__(
        self, config: SimulatorConfig, now: datetime | None = None, start_timeout_s: float = 60
    ) -> None:
        self.config = config
        self.now = now or datetime.now(UTC).replace(microsecond=0)
        super().__init__(_serve, (config, self.now), "bench-sim", start_timeout_s)

    def truth(self) -> dict[str, str]:
        """External id -> raw sha256 of every ended session (the book must equal this)."""
        result: dict[str, str] = self._ask("truth")
        return result

    def request_count(self) -> int:
        """Requests the simulator answered so far (auth and data)."""
        result: int = self._ask("requests")
        return result

    def cpu_s(self) -> float:
        """CPU seconds the simulator process has used so far."""
        result: float = self._ask("cpu")
        return result

    def accounts(self) -> list[tuple[str, str]]:
        """(e-mail, password) of every owner account."""
        result: list[tuple[str, str]] = self._ask("accounts")
        return result


_TEMPLATE: list[Any] = []


def fresh_sqlite(prefix: str) -> tuple[Any, Path]:
    """(a migrated, empty SQLite `Database`, its file) in a new temporary directory.

    Migrated once per process into a template that every call copies (migrating is not
    what the benchmarks measure and costs about a second).
    """
    from chargebook.db.core.testing import SqliteTemplate

    if not _TEMPLATE:
        _TEMPLATE.append(SqliteTemplate(Path(tempfile.mkdtemp(prefix="cb-bench-template-"))))
    path = Path(tempfile.mkdtemp(prefix=prefix)) / "book.sqlite3"
    return _TEMPLATE[0].clone(path), path


def maxrss_mib() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def summary(values: Sequence[float], unit: str = "s", digits: int = 2) -> str:
    """'median X (min A, max B) over N runs' for a list of measurements."""
    med = statistics.median(values)
    return (
        f"median {med:.{digits}f} {unit} (min {min(values):.{digits}f}, "
        f"max {max(values):.{digits}f}) over {len(values)} runs"
    )


def traced_peak_mib(run: Callable[[], object]) -> float:
    """Peak Python heap allocated while `run()` executes (tracemalloc), in MiB."""
    import tracemalloc

    tracemalloc.start()
    try:
        run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20
