"""Killable worker processes: N copies of one command line, one of them SIGKILLed again and
again and restarted at once.

The pool knows nothing of what a worker does: `chargebook worker` (the procrastinate queue)
or, as a fallback, `chargebook sync` in a loop. Each worker's output goes to its own log file.
The pool has no threads: the harness calls `tick()` from its main loop, which kills when a
kill is due and restarts workers that ended. Every child gets SIGKILL when the harness dies
(Linux parent-death signal; it follows the spawning *thread*, hence the main thread only), so
a harness killed by a test timeout leaves no worker behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import random
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """`preexec_fn`: SIGKILL this child when the process (thread) that started it ends."""
    # Not glibc Linux: the harness's own cleanup still runs on a normal exit.
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def popen_child(command: Sequence[str], **options: object) -> subprocess.Popen[bytes]:
    """`subprocess.Popen` for a child that must not outlive the harness."""
    preexec: Callable[[], None] = die_with_parent
    return subprocess.Popen(list(command), preexec_fn=preexec, **options)  # type: ignore[call-overload,no-any-return]


@dataclass
class _Slot:
    index: int
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    exits: list[int] = field(default_factory=list)


class WorkerPool:
    """`count` workers running `command` with `env`; slot 0 is the one that gets killed.

    `restart_exited` restarts a worker that ends on its own with exit code 0 (the fallback's
    `chargebook sync` ends after each pass); any other end is counted as unexpected (and the
    worker restarted).
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
        self._kill_every_s: float | None = None
        self._next_kill = 0.0
        self._rng = random.Random(8)
        self.kills = 0
        self.last_kill_at: float | None = None  # time.monotonic() of the last SIGKILL
        self.unexpected_exits = 0
        self.passes = 0  # clean ends of a fallback `chargebook sync` pass
        log_dir.mkdir(parents=True, exist_ok=True)

    def start(self) -> None:
        """Start every worker."""
        for slot in self._slots:
            self._spawn(slot)

    def _spawn(self, slot: _Slot) -> None:
        with (self._log_dir / f"worker-{slot.index}.log").open("ab") as log:
            slot.process = popen_child(
                self._command, env=self._env, stdout=log, stderr=subprocess.STDOUT
            )
        slot.starts += 1

    def kill_every(self, interval_s: float, seed: int = 8) -> None:
        """From now on, `tick()` SIGKILLs worker 0 every `interval_s` (±30 %)."""
        self._rng = random.Random(seed)
        self._kill_every_s = interval_s
        self._next_kill = time.monotonic() + interval_s * self._rng.uniform(0.7, 1.3)

    def stop_killing(self) -> None:
        """No more kills (the workers keep running)."""
        self._kill_every_s = None

    def tick(self) -> None:
        """Kill when a kill is due; restart workers that ended. Call it often (main thread)."""
        if self._kill_every_s is not None and time.monotonic() >= self._next_kill:
            self.kill_one()
            self._next_kill = time.monotonic() + self._kill_every_s * self._rng.uniform(0.7, 1.3)
        for slot in self._slots:
            process = slot.process
            if process is None or process.poll() is None:
                continue
            slot.exits.append(process.returncode)
            if process.returncode == 0 and self._restart_exited:
                self.passes += 1
            else:
                self.unexpected_exits += 1
            self._spawn(slot)

    def sleep(self, seconds: float) -> None:
        """Sleep `seconds`, ticking every 0.2 s."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            time.sleep(min(0.2, left))
            self.tick()

    def kill_one(self) -> None:
        """SIGKILL worker 0 now and start it again (counted in `kills`)."""
        slot = self._slots[0]
        process = slot.process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            slot.exits.append(process.returncode)
            self.kills += 1
            self.last_kill_at = time.monotonic()
        self._spawn(slot)

    def stop(self, grace_s: float = 30.0) -> list[int]:
        """SIGTERM every worker (graceful stop), SIGKILL after `grace_s`; their exit codes."""
        self._kill_every_s = None
        running = [s.process for s in self._slots if s.process and s.process.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        codes: list[int] = []
        for process in running:
            try:
                codes.append(process.wait(timeout=max(0.1, deadline - time.monotonic())))
            except subprocess.TimeoutExpired:
                process.kill()
                codes.append(process.wait(timeout=30))
        return codes
