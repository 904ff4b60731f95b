"""`ZaptecCloud`: the simulated fleet's state and behaviour; `app.py` serves it over HTTP.

All time comes from the injected clock. The state a client can change is the pause of the
current session (StopChargingFinal / ResumeCharging), the charger's current limit
(`update` `maxChargeCurrent`) and restarts; a pause does not change the planned energy (the
history is the ground truth the sync tests compare the book with).
"""

from __future__ import annotations

import random
import secrets
import threading
from collections import defaultdict, deque
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from chargebook.clock import Clock
from chargebook.simulator.zaptec import render
from chargebook.simulator.zaptec.config import ZaptecSimConfig
from chargebook.simulator.zaptec.fleet import SimAccount, SimCharger, build_fleet
from chargebook.simulator.zaptec.sessions import FUTURE, PlannedSession, plan_sessions

# Command ids (constants `Commands`, reference §3.5).
START_CHARGING, STOP_CHARGING, STOP_CHARGING_FINAL, RESUME_CHARGING = 501, 502, 506, 507
RESTART_CHARGER = 102
KNOWN_COMMANDS = frozenset({102, 200, 501, 502, 506, 507, 700, 708, 10001})


class RequestRecord(NamedTuple):
    time: datetime
    method: str
    path: str
    status: int  # 0: the connection was dropped mid-answer


class BadRequest(Exception):
    """The API's 400: the command or body does not fit the charger's state."""


class ZaptecCloud:
    def __init__(self, config: ZaptecSimConfig | None = None, *, clock: Clock) -> None:
        self.config = config or ZaptecSimConfig()
        self.clock = clock
        self.created = clock.now()
        self.accounts, self.guest, self.chargers = build_fleet(self.config)
        self.lock = threading.RLock()
        start = self.created - timedelta(days=self.config.days)
        self.plans: dict[str, list[PlannedSession]] = {
            cid: plan_sessions(
                charger,
                seed=self.config.seed,
                history_start=start,
                until=self.created + FUTURE,
                variant_rate=self.config.variant_rate,
                bad_session_rate=self.config.bad_session_rate,
            )
            for cid, charger in self.chargers.items()
        }
        self._tokens: dict[str, tuple[str, datetime]] = {}
        self.sign_ins: dict[str, int] = defaultdict(int)
        self.request_log: dict[str, list[RequestRecord]] = defaultdict(list)
        self.applied_writes: list[tuple[str, str]] = []
        self.paused: dict[str, str] = {}  # charger id -> the paused session's id
        self.current_limit: dict[str, int] = {}
        self.restarts: dict[str, int] = defaultdict(int)
        self._seen: dict[str, deque[datetime]] = defaultdict(deque)
        self._fault_rng = random.Random(f"zapsim-faults:{self.config.seed}")
        self.injected: dict[str, int] = defaultdict(int)

    # -- accounts and tokens -------------------------------------------------------------

    def all_accounts(self) -> list[SimAccount]:
        return [*self.accounts, self.guest]

    def sign_in(self, email: str, password: str) -> str | None:
        """A new access token, or None for a wrong e-mail or password."""
        for account in self.all_accounts():
            if account.email.lower() == email.strip().lower() and account.password == password:
                token = secrets.token_urlsafe(32)
                ttl = timedelta(seconds=self.config.token_ttl_s)
                self._tokens[token] = (account.email, self.clock.now() + ttl)
                self.sign_ins[account.email] += 1
                return token
        return None

    def account_of(self, token: str) -> SimAccount | None:
        found = self._tokens.get(token)
        if found is None or self.clock.now() >= found[1]:
            return None
        return next(a for a in self.all_accounts() if a.email == found[0])

    def revoke(self, token: str) -> None:
        self._tokens.pop(token, None)

    def over_limit(self, email: str) -> bool:
        """Count the request in the account's rolling second; True when it is one too many."""
        limit = self.config.requests_per_second
        if limit == 0:
            return False
        now, seen = self.clock.now(), self._seen[email]
        while seen and (now - seen[0]).total_seconds() >= 1.0:
            seen.popleft()
        if len(seen) >= limit:
            return True
        seen.append(now)
        return False

    def pick_fault(self, method: str) -> str | None:
        config = self.config
        if config.fault_rate <= 0 or method not in config.fault_methods:
            return None
        if config.fault_limit is not None and sum(self.injected.values()) >= config.fault_limit:
            return None
        roll, choice = self._fault_rng.random(), self._fault_rng.random()
        if roll >= config.fault_rate or not config.fault_kinds:
            return None
        kind = config.fault_kinds[int(choice * len(config.fault_kinds))]
        self.injected[kind] += 1
        return kind

    def server_error_status(self) -> int:
        statuses = self.config.server_error_statuses
        return statuses[self._fault_rng.randrange(len(statuses))]

    def log(self, email: str, method: str, path: str, status: int) -> None:
        self.request_log[email].append(RequestRecord(self.clock.now(), method, path, status))

    # -- sessions and live state ------------------------------------------------------------

    def ended_sessions(self, charger_id: str) -> list[PlannedSession]:
        now = self.clock.now()
        return [s for s in self.plans[charger_id] if s.end <= now]

    def history_items(self, charger_id: str, detail: bool = True) -> list[dict[str, Any]]:
        """The ended sessions exactly as `chargehistory` serves them (the ground truth)."""
        charger = self.chargers[charger_id]
        return [render.history_item(charger, s, detail) for s in self.ended_sessions(charger_id)]

    def current_session(self, charger_id: str) -> PlannedSession | None:
        now = self.clock.now()
        return next((s for s in self.plans[charger_id] if s.start <= now < s.end), None)

    def mode(self, charger_id: str) -> tuple[int, bool]:
        """(ChargerOperationMode, FinalStopActive) now."""
        session = self.current_session(charger_id)
        if session is None:
            return 1, False
        if self.paused.get(charger_id) == session.id:
            return 5, True
        return (3 if self.clock.now() < session.charging_end else 5), False

    def state(self, charger_id: str) -> list[dict[str, Any]]:
        """`chargers/{id}/state` (the StateIds of reference §3.4, in the recorded shape)."""
        charger, now = self.chargers[charger_id], self.clock.now()
        session = self.current_session(charger_id)
        mode, final_stop = self.mode(charger_id)
        power = session.power_w if session is not None and mode == 3 else 0.0
        energy = session.register_at(now) - session.register_start_kwh if session else 0.0
        limit = self.current_limit.get(charger_id, charger.max_current_a)
        entry = render.state_entry
        entries = [
            entry(charger, -2, now, "1"),
            entry(charger, 510, self.created, f"{charger.max_current_a:.3f}"),
            entry(charger, 511, self.created, "6.000"),
            entry(charger, 513, now, f"{power:.3f}"),
            entry(charger, 553, now, f"{energy:.3f}"),
            entry(charger, 708, now, f"{min(limit, charger.max_current_a):.3f}"),
            entry(charger, 710, now, str(mode)),
            entry(charger, 718, now, "1" if final_stop else "0"),
            entry(charger, 721, now, session.id if session else None),
        ]
        if charger.mid_evidence:
            hour = now.replace(minute=0, second=0, microsecond=0)
            reading = [(hour, None, self.register_at(charger_id, hour))]
            entries.append(entry(charger, 554, hour, render.ocmf(charger, reading, "F1")))
            entries.append(entry(charger, 914, self.created, f"{charger.firmware}-MID"))
            entries.append(entry(charger, 982, self.created, f"CAL-{charger.serial}"))
        ended = self.ended_sessions(charger_id)
        if ended:
            last = ended[-1]
            entries.append(entry(charger, 723, last.end, render.completed_session(charger, last)))
        return sorted(entries, key=lambda e: e["StateId"])

    def register_at(self, charger_id: str, moment: datetime) -> float:
        register = None
        for session in self.plans[charger_id]:
            if session.start > moment:
                break
            register = session.register_at(moment)
        if register is None:
            return self.plans[charger_id][0].register_start_kwh if self.plans[charger_id] else 0.0
        return register

    # -- commands --------------------------------------------------------------------------

    def command(self, charger_id: str, command: int) -> None:
        """Carry out a command, or raise `BadRequest` as the API answers one that does not
        fit (506 only while a car is connected and not paused, 507 only when paused)."""
        if command not in KNOWN_COMMANDS:
            raise BadRequest(f"unknown command {command}")
        _, final_stop = self.mode(charger_id)
        session = self.current_session(charger_id)
        if command == STOP_CHARGING_FINAL:
            if session is None or final_stop:
                raise BadRequest("StopChargingFinal needs a connected car that is not paused")
            self.paused[charger_id] = session.id
        elif command == RESUME_CHARGING:
            if not final_stop:
                raise BadRequest("ResumeCharging needs a paused charger")
            self.paused.pop(charger_id, None)
        elif command == RESTART_CHARGER:
            self.restarts[charger_id] += 1

    def update(self, charger_id: str, body: Any) -> None:
        if not isinstance(body, dict) or not body:
            raise BadRequest("the body must be a JSON object of settings")
        unknown = set(body) - {
            "maxChargeCurrent", "maxChargePhases", "minChargeCurrent",
            "offlineChargeCurrent", "offlineChargePhase", "meterValueInterval",
        }  # fmt: skip
        if unknown:
            raise BadRequest(f"unknown settings {sorted(unknown)}")
        current = body.get("maxChargeCurrent")
        if current is not None:
            if isinstance(current, bool) or not isinstance(current, int | float):
                raise BadRequest("maxChargeCurrent must be a number")
            if not 0 <= current <= 32:
                raise BadRequest("maxChargeCurrent must be between 0 and 32")
            self.current_limit[charger_id] = int(current)

    def charger(self, charger_id: str) -> SimCharger | None:
        return self.chargers.get(charger_id)
