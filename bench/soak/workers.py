"""Killable worker processes: N copies of one command line, one of them SIGKILLed again and
again and restarted at once.

The pool knows nothing of what a worker does: `chargebook worker` (the procrastinate queue)
or, as a fallback, `chargebook sync` in a loop. Each worker's output goes to its own log file
(kept for a failed run, never printed: it may be long).
"""

from __future__ import annotations

import random
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class _Slot:
    index: int
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    exits: list[int] = field(default_factory=list)


class WorkerPool:
    """`count` workers running `command` with `env`; slot 0 is the one that gets killed.

    `restart_exited` restarts any worker that ends on its own (the fallback's `chargebook
    sync` ends after each pass); a real worker ending on its own is counted as a crash.
    """

    def __init__(
        self,
        command: Sequence[str],
        env: dict[str, str],
        count: int,
        log_dir: Path,
        *,
        restart_exited: bool = False,
    ) -> None:
        if count < 1:
            raise ValueError("a pool needs at least one worker")
        self._command, self._env, self._log_dir = list(command), env, log_dir
        self._slots = [_Slot(i) for i in range(count)]
        self._restart_exited = restart_exited
        self._lock = threading.Lock()
        self._stop = threading.Event()  # ends the keeper (and the killer)
        self._stop_kills = threading.Event()
        self._killer: threading.Thread | None = None
        self._keeper: threading.Thread | None = None
        self.kills = 0
        self.unexpected_exits = 0
        self.passes = 0  # workers that ended on their own with exit code 0 (fallback passes)
        log_dir.mkdir(parents=True, exist_ok=True)

    def start(self) -> None:
        """Start every worker and a thread that restarts the ones that end."""
        with self._lock:
            for slot in self._slots:
                self._spawn(slot)
        self._keeper = threading.Thread(target=self._keep, name="soak-keeper", daemon=True)
        self._keeper.start()

    def _spawn(self, slot: _Slot) -> None:
        log = (self._log_dir / f"worker-{slot.index}.log").open("ab")
        with log:  # the child holds its own descriptor
            slot.process = subprocess.Popen(
                self._command, env=self._env, stdout=log, stderr=subprocess.STDOUT
            )
        slot.starts += 1

    def _keep(self) -> None:
        while not self._stop.wait(0.2):
            with self._lock:
                for slot in self._slots:
                    process = slot.process
                    if process is None or process.poll() is None:
                        continue
                    slot.exits.append(process.returncode)
                    if process.returncode == 0 and self._restart_exited:
                        self.passes += 1
                    else:
                        self.unexpected_exits += 1
                    if self._restart_exited or process.returncode != 0:
                        self._spawn(slot)
                    else:
                        slot.process = None

    def kill_every(self, interval_s: float, seed: int = 8) -> None:
        """From now on, SIGKILL worker 0 every `interval_s` (±30 %) and restart it."""
        rng = random.Random(seed)

        def killer() -> None:
            while not self._stop_kills.wait(interval_s * rng.uniform(0.7, 1.3)):
                if self._stop.is_set():
                    return
                self.kill_one()

        self._killer = threading.Thread(target=killer, name="soak-killer", daemon=True)
        self._killer.start()

    def kill_one(self) -> None:
        """SIGKILL worker 0 now and start it again (counted in `kills`)."""
        with self._lock:
            slot = self._slots[0]
            process = slot.process
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=30)
                slot.exits.append(process.returncode)
                self.kills += 1
            self._spawn(slot)

    def stop_killing(self) -> None:
        """No more kills (the workers keep running)."""
        self._stop_kills.set()
        if self._killer is not None:
            self._killer.join(timeout=40)

    def alive(self) -> int:
        """Workers running now."""
        with self._lock:
            return sum(1 for s in self._slots if s.process and s.process.poll() is None)

    def stop(self, grace_s: float = 30.0) -> list[int]:
        """SIGTERM every worker (graceful stop), SIGKILL after `grace_s`; their exit codes."""
        self._stop.set()
        self._stop_kills.set()
        for thread in (self._killer, self._keeper):
            if thread is not None:
                thread.join(timeout=10)
        codes: list[int] = []
        with self._lock:
            running = [s.process for s in self._slots if s.process and s.process.poll() is None]
            for process in running:
                process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + grace_s
            for process in running:
                try:
                    codes.append(process.wait(timeout=max(0.1, deadline - time.monotonic())))
                except subprocess.TimeoutExpired:
                    process.kill()
                    codes.append(process.wait(timeout=30))
        return codes
