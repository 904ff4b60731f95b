"""`SimulatedEasee`: the fleet, its live state, auth, limits and faults behind one object;
`EaseeSimulator` (`served.py`) puts the HTTP app in front of it. All time comes from `clock`."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from chargebook.clock import Clock
from chargebook.simulator.easee.auth import TokenAuthority
from chargebook.simulator.easee.config import SimulatorConfig
from chargebook.simulator.easee.faults import FaultInjector
from chargebook.simulator.easee.fleet import SimAccount, SimCharger, build_fleet
from chargebook.simulator.easee.ratelimit import RateLimiter
from chargebook.simulator.easee.render import history_item
from chargebook.simulator.easee.sessions import PlannedSession, SessionPlan
from chargebook.simulator.easee.state import ChargerState

_TICKS_EPOCH = datetime(1, 1, 1, tzinfo=UTC)  # .NET ticks count from 0001-01-01


class RequestRecord(NamedTuple):
    """One request as served: status 0 means the connection was dropped mid-response."""

    time: datetime
    method: str
    path: str
    status: int


class SimulatedEasee:
    """A faithful, deterministic Easee Cloud's state and behaviour."""

    def __init__(self, config: SimulatorConfig | None = None, *, clock: Clock) -> None:
        self.config = config or SimulatorConfig()
        self.clock = clock
        self.created = clock.now()
        fleet = build_fleet(self.config)
        self.accounts: list[SimAccount] = list(fleet.accounts)
        self.chargers: dict[str, SimCharger] = fleet.chargers
        self.lock = threading.RLock()  # uvicorn's thread and the test thread share state
        history_start = self.created - timedelta(days=self.config.days)
        self._states = {
            cid: ChargerState(
                charger,
                SessionPlan(
                    charger,
                    self.config.seed,
                    history_start,
                    self.config.bad_session_rate,
                    self.config.short_item_rate,
                ),
                self.created,
            )
            for cid, charger in fleet.chargers.items()
        }
        self._owners = {a.email: a for a in self.accounts}
        self._served: dict[tuple[str, int], dict[str, Any]] = {}
        self.auth = TokenAuthority(
            self.accounts,
            self.config.seed,
            self.config.token_ttl_s,
            self.config.refresh_token_ttl_s,
        )
        self.limiter = RateLimiter(self.config)
        self.faults = FaultInjector(self.config)
        self.request_log: dict[str, list[RequestRecord]] = {}
        # Every write that acted, as (method, path), whatever its reply looked like.
        self.applied_writes: list[tuple[str, str]] = []
        self.schedules: dict[tuple[str, str], dict[str, Any]] = {}
        self.access_levels: dict[str, int] = {}
        self.site_prices: dict[int, dict[str, Any]] = {}
        self.circuit_settings: dict[int, dict[str, Any]] = {}
        self.ocpp: dict[str, dict[str, Any]] = {}  # local OCPP connection details per charger
        self.polls: list[tuple[str, str]] = []  # poll_* and update_firmware commands
        self._command_ids = 0

    # --- accounts ------------------------------------------------------------------------
    def account(self, email: str) -> SimAccount:
        found = self.auth.account(email)
        if found is None:
            raise KeyError(email)
        return found

    def owner_of(self, charger_id: str) -> SimAccount:
        return self._owners[self.chargers[charger_id].owner_email]

    def chargers_of(self, account: SimAccount) -> list[SimCharger]:
        return [self.chargers[cid] for cid in account.charger_ids]

    def site_exists(self, site_id: int) -> bool:
        return any(a.site_id == site_id for a in self.accounts)

    def log(self, email: str, method: str, path: str, status: int) -> None:
        with self.lock:
            self.request_log.setdefault(email.lower(), []).append(
                RequestRecord(self.clock.now(), method, path, status)
            )

    def command_reply(self, charger_id: str) -> dict[str, Any]:
        """The 202 body of a command: `{"device","commandId","ticks"}` (reference §2.3)."""
        self._command_ids += 1
        delta = self.clock.now() - _TICKS_EPOCH  # integers: a float loses the last digits
        ticks = (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10
        return {"device": charger_id, "commandId": self._command_ids, "ticks": ticks}

    # --- chargers and sessions -----------------------------------------------------------
    def state(self, charger_id: str) -> ChargerState:
        return self._states[charger_id]

    def ended_sessions(self, charger_id: str) -> list[tuple[PlannedSession, dict[str, Any]]]:
        """Sessions ended by now with their served history items, oldest first."""
        now = self.clock.now()
        state = self._states[charger_id]
        owner = self.owner_of(charger_id)
        result = []
        with self.lock:
            for session in state.plan.started_by(now):
                if session.end > now:
                    continue
                key = (charger_id, session.id)
                item = self._served.get(key)
                if item is None:
                    item = history_item(session, state.outcome(session, session.end), owner)
                    self._served[key] = item
                result.append((session, item))
        return result

    def sessions_between(
        self, charger_id: str, start: datetime, end: datetime
    ) -> list[dict[str, Any]]:
        """History items whose `carConnected` is within [start, end), oldest first (the
        server filters on its own data, so a damaged item's served time decides)."""
        return [
            dict(item)
            for session, item in self.ended_sessions(charger_id)
            if start <= _served_start(item, session.start) < end
        ]

    def ground_truth_sessions(self, charger_id: str) -> list[dict[str, Any]]:
        """Every session ended by now, as served (bad ones too), oldest first."""
        return [dict(item) for _, item in self.ended_sessions(charger_id)]

    def current_session(self, charger_id: str) -> PlannedSession | None:
        with self.lock:
            return self._states[charger_id].plan.at(self.clock.now())

    def next_session(self, charger_id: str) -> PlannedSession:
        """The next session starting after now (for tests that fast-forward to it)."""
        now = self.clock.now()
        plan = self._states[charger_id].plan
        with self.lock:
            for days in range(1, 60):
                upcoming = [s for s in plan.started_by(now + timedelta(days=days)) if s.start > now]
                if upcoming:
                    return upcoming[0]
        raise LookupError(f"no session planned for charger {charger_id}")


def _served_start(item: dict[str, Any], planned: datetime) -> datetime:
    try:
        return datetime.fromisoformat(str(item["carConnected"]))
    except (KeyError, ValueError):
        return planned
