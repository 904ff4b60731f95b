"""The simulated charger's state: its two logins, the EV interface it is told to follow, its
user configuration, and the live payloads the REST API serves at the clock's moment.

A reboot (web API `system/reboot`) drops every web session and issues a new API token, the
way python-peblar's `token_refresh` expects a real charger to. Commands only change the live
state: the meter log's planned energies are the ground truth and do not move (a paused
session keeps its planned energy), so a test can compare the book with the log exactly.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chargebook.clock import Clock
from chargebook.simulator.peblar.config import PeblarSimConfig
from chargebook.simulator.peblar.hardware import (
    build_hardware,
    default_user_configuration,
    rest_system,
    system_information,
)
from chargebook.simulator.peblar.sessions import MeterLog, history_item

VOLTAGE_V = 230


@dataclass
class WriteRecord:
    """A write the charger acted on (tests count them: a write is never sent twice)."""

    at: datetime
    method: str
    path: str
    body: Any


@dataclass
class EvInterface:
    limit_ma: int
    force_1phase: bool = False
    limit_source: str = "Installation limit"


@dataclass
class Actions:
    identify: int = 0
    reboots: int = 0
    socket_unlocks: int = 0
    updates: list[str] = field(default_factory=list)
    authorizations: list[Any] = field(default_factory=list)


class SimulatedCharger:
    """One Peblar charger on the home network (a local API serves exactly one charger)."""

    def __init__(self, config: PeblarSimConfig, *, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self.hardware = build_hardware(config)
        started = clock.now()
        self.log = MeterLog(
            seed=config.seed,
            first_day=started - timedelta(days=config.days),
            max_power_w=self.hardware.max_power_w,
            bad_rate=config.bad_session_rate,
        )
        self._rng = random.Random(f"peblar-tokens:{config.seed}")
        self.api_token = self._new_token()
        self.web_sessions: set[str] = set()
        self.logins = 0  # successful web logins (a client logs in once, not per call)
        self.booted_at = started - timedelta(days=40)
        self.ev = EvInterface(limit_ma=self.hardware.max_current_a * 1000)
        self.user = default_user_configuration(self.hardware, config)
        self.rfid_tokens: dict[str, str] = {}
        self.vehicle_tokens: dict[str, str] = {}
        self.schedule: dict[str, list[dict[str, int]]] = {
            day: []
            for day in (
                "Monday",
                "Tuesday",
                "Wednesday",
                "Thursday",
                "Friday",
                "Saturday",
                "Sunday",
            )
        }
        self.actions = Actions()
        self.writes: list[WriteRecord] = []

    # --- logins -------------------------------------------------------------------------
    def _new_token(self) -> str:
        return "".join(f"{self._rng.randrange(256):02x}" for _ in range(32))

    def login(self, password: str) -> str | None:
        """A new web session id, or None for a wrong password."""
        if not secrets.compare_digest(password.encode(), self.config.web_password.encode()):
            return None
        session = secrets.token_hex(16)
        self.web_sessions.add(session)
        self.logins += 1
        return session

    def rotate_api_token(self) -> None:
        self.api_token = self._new_token()

    def reboot(self) -> None:
        """Forget every web session and issue a new API token (python-peblar `token_refresh`)."""
        self.actions.reboots += 1
        self.web_sessions.clear()
        self.rotate_api_token()
        self.booted_at = self.clock.now()

    # --- live state ---------------------------------------------------------------------
    def cp_state(self, now: datetime) -> str:
        current = self.log.current(now)
        if current is None:
            return "State A"
        if self.ev.limit_ma == 0 or now >= current.charged_until:
            return "State B"
        return "State C"

    def _phases(self) -> int:
        return 1 if self.ev.force_1phase else self.hardware.phases

    def power_w(self, now: datetime) -> int:
        if self.cp_state(now) != "State C":
            return 0
        current = self.log.current(now)
        assert current is not None
        cap = self.ev.limit_ma * VOLTAGE_V * self._phases() // 1000
        return min(current.power_w, cap)

    def ev_interface(self) -> dict[str, Any]:
        now = self.clock.now()
        charging = self.cp_state(now) == "State C"
        actual = min(self.ev.limit_ma, self.hardware.max_current_a * 1000) if charging else 0
        return {
            "ChargeCurrentLimit": self.ev.limit_ma,
            "ChargeCurrentLimitActual": actual,
            "ChargeCurrentLimitSource": self.ev.limit_source,
            "CpState": self.cp_state(now),
            "Force1Phase": self.ev.force_1phase,
        }

    def meter(self) -> dict[str, Any]:
        now = self.clock.now()
        power = self.power_w(now)
        phases = self._phases()
        started = self.log.started(now)
        last = started[-1] if started else None
        body: dict[str, Any] = {}
        for phase in range(1, self.hardware.phases + 1):
            share = power // phases if phase <= phases else 0
            body[f"CurrentPhase{phase}"] = share * 1000 // VOLTAGE_V
            body[f"PowerPhase{phase}"] = share
            body[f"VoltagePhase{phase}"] = VOLTAGE_V - 3 + phase
        body["EnergySession"] = last.delivered_mwh(now) // 1000 if last else 0
        body["EnergyTotal"] = self.log.register_mwh(now) // 1000
        body["PowerTotal"] = power
        return dict(sorted(body.items()))

    def system(self) -> dict[str, Any]:
        uptime = int((self.clock.now() - self.booted_at).total_seconds())
        return rest_system(self.hardware, self.config.firmware, uptime)

    def system_information(self) -> dict[str, Any]:
        return system_information(self.hardware, self.config.firmware)

    def plugged_in(self) -> bool:
        return self.log.current(self.clock.now()) is not None

    # --- the meter log ------------------------------------------------------------------
    def meter_history(self, start: datetime | None, stop: datetime | None) -> dict[str, Any]:
        now = self.clock.now()
        sessions = [
            s
            for s in self.log.started(now)
            if (start is None or s.plugged_at >= start) and (stop is None or s.plugged_at < stop)
        ]
        if not sessions:
            return {"NoSessions": True}
        return {
            "Corrupted": any(s.corrupted for s in sessions),
            "CorruptedSession": [s.corrupted for s in sessions],
            "MetaData": {
                "MeterHash": f"{self.config.seed:08x}c0ffee00",
                "MeterVersion": "1.0.0",
                "MidCertified": self.config.mid_certified,
                "ProductPn": self.hardware.part_number,
                "ProductSn": self.hardware.serial,
                "TimeZone": self.user["TimeZone"],
            },
            "Session": [history_item(s, now) for s in sessions],
        }

    def record_write(self, method: str, path: str, body: Any) -> None:
        self.writes.append(WriteRecord(self.clock.now(), method, path, body))
