"""What a soak run measured and decided: printed as a summary and written as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.soak.checks import Check


@dataclass
class Sample:
    """One look at the system during the run (seconds since the workers started)."""

    t_s: float
    wallbox_sessions: int
    ocpp_sessions: int
    requests: int
    job_retries: int


@dataclass
class SoakResult:
    config: dict[str, Any]
    worker_mode: str  # "chargebook worker" or the labelled fallback
    connect_s: float = 0.0
    chaos_s: float = 0.0
    drain_s: float = 0.0
    total_s: float = 0.0
    sessions_in_cloud: int = 0
    wallbox_sessions_after_chaos: int = 0
    ocpp_transactions: int = 0
    requests: int = 0
    faults_injected: dict[str, int] = field(default_factory=dict)
    job_retries: int = 0
    kills: int = 0
    unexpected_worker_exits: int = 0
    ocpp_drops: int = 0
    ocpp_drops_mid_transaction: int = 0
    ocpp_buffered_sent: int = 0
    ere: dict[str, Any] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    log_dir: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    @property
    def sessions_per_minute(self) -> float:
        """Wallbox sessions written into the book per minute of chaos (backfill included)."""
        return self.wallbox_sessions_after_chaos / max(self.chaos_s / 60, 1e-9)

    @property
    def requests_per_minute(self) -> float:
        return self.requests / max((self.chaos_s + self.drain_s) / 60, 1e-9)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        data["sessions_per_minute"] = round(self.sessions_per_minute, 1)
        data["requests_per_minute"] = round(self.requests_per_minute, 1)
        return data

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2, default=str) + "\n")

    def summary(self) -> str:
        faults = sum(self.faults_injected.values())
        lines = [
            f"soak: {self.config['accounts']} accounts, {self.config['workers']} workers "
            f"({self.worker_mode}), {self.config['ocpp_chargers']} OCPP charge points",
            f"duration {self.total_s:.0f} s (connect {self.connect_s:.0f} s, chaos "
            f"{self.chaos_s:.0f} s, drain {self.drain_s:.0f} s)",
            f"sessions: {self.sessions_in_cloud} in the cloud; {self.sessions_per_minute:,.0f} "
            f"per minute during chaos; {self.ocpp_transactions} OCPP transactions",
            f"requests {self.requests} ({self.requests_per_minute:,.0f}/min); faults injected "
            f"{faults} {self.faults_injected}; job retries {self.job_retries}",
            f"kills survived {self.kills} (unexpected worker exits {self.unexpected_worker_exits}"
            f"); OCPP drops {self.ocpp_drops} ({self.ocpp_drops_mid_transaction} mid-transaction,"
            f" {self.ocpp_buffered_sent} buffered calls delivered late)",
            f"ERE: {self.ere}",
        ]
        lines += [f"[{'ok' if c.ok else 'FAIL'}] {c.name}: {c.detail}" for c in self.checks]
        lines.append(f"soak {'PASSED' if self.ok else 'FAILED'} (logs in {self.log_dir})")
        return "\n".join(lines)
