"""The Wallbox Cloud simulator fleet of a soak run, served in its own process.

Unlike the backfill benchmark's `SimProcess` (a frozen cloud), the soak's cloud lives: its
clock is the wall clock, so sessions keep ending while the workers sync, until the harness
freezes it for the final check. Faults are on until the harness switches them off (a new
`FaultInjector` with rate 0; what was injected so far is kept for the report).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from typing import Any

from bench._simproc import STOP, ServerProcess, truth_of
from chargebook.clock import SystemClock
from chargebook.simulator.wallbox import SimulatorConfig


class FreezableClock(SystemClock):
    """The wall clock (UTC) until `freeze`, then that moment for ever (implements Clock)."""

    def __init__(self) -> None:
        self._frozen: datetime | None = None

    def now(self) -> datetime:
        return self._frozen or datetime.now(UTC)

    def freeze(self) -> datetime:
        """Stop time at the current moment; returns it."""
        self._frozen = self._frozen or datetime.now(UTC)
        return self._frozen


def _bad_ids(sim: Any) -> set[str]:
    # Sessions the simulator serves malformed on purpose: the book must quarantine them.
    bad: set[str] = set()
    for account in sim.accounts:
        for charger_id in account.charger_ids:
            for planned, _ in sim.ended_sessions(charger_id):
                if planned.bad_kind is not None:
                    bad.add(str(planned.id))
    return bad


def _serve(conn: Connection, config: SimulatorConfig) -> None:
    # The child: simulator + uvicorn, answering the harness over the pipe until told to stop.
    from bench.soak.workers import die_with_parent
    from chargebook.simulator.serve import ServedApp, quiet_simulated_drops
    from chargebook.simulator.wallbox import WallboxSimulator
    from chargebook.simulator.wallbox.faults import FaultInjector

    die_with_parent()  # uvicorn's thread would keep an orphan alive after a harness SIGKILL
    clock = FreezableClock()
    sim = WallboxSimulator(config, clock=clock)
    quiet_simulated_drops()
    injected_before: dict[str, int] = {}
    with ServedApp(sim.app) as served:
        conn.send(served.url)
        while (query := conn.recv()) != STOP:
            if query == "truth":
                conn.send((truth_of(sim), _bad_ids(sim)))
            elif query == "requests":
                with sim.lock:
                    conn.send(sum(len(log) for log in sim.request_log.values()))
            elif query == "faults":
                with sim.lock:
                    merged = dict(injected_before)
                    for kind, count in sim.faults.injected.items():
                        merged[kind] = merged.get(kind, 0) + count
                conn.send(merged)
            elif query == "faults_off":
                with sim.lock:
                    injected_before = dict(sim.faults.injected)
                    sim.faults = FaultInjector(replace(config, fault_rate=0.0))
                conn.send(True)
            elif query == "freeze":
                with sim.lock:
                    conn.send(clock.freeze())
            elif query == "accounts":
                conn.send([(a.email, a.password) for a in sim.accounts])


class WallboxFleet(ServerProcess):
    """The living simulator fleet in a forked child process (enter before any thread exists)."""

    def __init__(self, config: SimulatorConfig, start_timeout_s: float = 120) -> None:
        self.config = config
        super().__init__(_serve, (config,), "soak-wallbox", start_timeout_s)

    def truth(self) -> tuple[dict[str, str], set[str]]:
        """(external id -> raw sha256 of every ended session, ids served malformed)."""
        result: tuple[dict[str, str], set[str]] = self._ask("truth")
        return result

    def request_count(self) -> int:
        """Requests the simulator answered so far (auth and data, faulted ones included)."""
        result: int = self._ask("requests")
        return result

    def faults_injected(self) -> dict[str, int]:
        """Faults injected so far, per kind."""
        result: dict[str, int] = self._ask("faults")
        return result

    def faults_off(self) -> None:
        """No more faults from now on."""
        self._ask("faults_off")

    def freeze(self) -> datetime:
        """Stop the cloud's clock: no session ends any more; returns the frozen moment."""
        result: datetime = self._ask("freeze")
        return result

    def accounts(self) -> list[tuple[str, str]]:
        """(e-mail, password) of every owner account."""
        result: list[tuple[str, str]] = self._ask("accounts")
        return result
