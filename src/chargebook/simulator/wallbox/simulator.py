"""`WallboxSimulator`: the fleet, its live state, auth, budgets and faults behind one object."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from chargebook.clock import Clock
from chargebook.simulator.wallbox.auth import TokenAuthority
from chargebook.simulator.wallbox.config import SimulatorConfig
from chargebook.simulator.wallbox.faults import FaultInjector
from chargebook.simulator.wallbox.fleet import SimAccount, SimCharger, build_fleet
from chargebook.simulator.wallbox.ratelimit import RateLimiter
from chargebook.simulator.wallbox.render import ChargerView
from chargebook.simulator.wallbox.render_sessions import session_attributes
from chargebook.simulator.wallbox.sessions import LOCAL_ZONE, PlannedSession, SessionPlan
from chargebook.simulator.wallbox.state import ChargerState


class RequestRecord(NamedTuple):
    """One request as served: status 0 means the connection was dropped mid-response."""

    time: datetime
    method: str
    path: str
    status: int


class SimulatedCloud:
    """A faithful, deterministic Wallbox Cloud's state and behaviour (auth and data paths on
    one origin); `WallboxSimulator` (`served.py`) puts its HTTP app in front of it. All time
    comes from `clock`.
    """

    def __init__(self, config: SimulatorConfig | None = None, *, clock: Clock) -> None:
        self.config = config or SimulatorConfig()
        self.clock = clock
        self.created = clock.now()
        fleet = build_fleet(self.config)
        self.accounts: list[SimAccount] = list(fleet.accounts)
        self.guest: SimAccount = fleet.guest
        self.chargers: dict[int, SimCharger] = fleet.chargers
        self.lock = threading.RLock()  # uvicorn's thread and the test thread share state
        history_start = self.created - timedelta(days=self.config.days)
        self._states = {
            cid: ChargerState(
                charger,
                SessionPlan(charger, self.config.seed, history_start, self.config.bad_session_rate),
                self.created,
            )
            for cid, charger in fleet.chargers.items()
        }
        self._owners = {a.email: a for a in self.accounts}
        self._served: dict[int, dict[str, Any]] = {}
        self.auth = TokenAuthority(
            [*self.accounts, self.guest],
            self.config.token_ttl_s,
            self.config.refresh_token_ttl_s,
            self.config.max_login_sessions,
        )
        self.limiter = RateLimiter(
            self.config.reads_per_minute,
            self.config.writes_per_minute,
            self.config.throttle_403_rate,
            self.config.seed,
        )
        self.faults = FaultInjector(self.config)
        self.request_log: dict[str, list[RequestRecord]] = {}
        # Every write that changed a charger, as (method, path): what really acted, whatever
        # its reply looked like to the client.
        self.applied_writes: list[tuple[str, str]] = []

    # --- accounts -----------------------------------------------------------------------
    def all_accounts(self) -> list[SimAccount]:
        """Owner accounts followed by the read-only guest."""
        return [*self.accounts, self.guest]

    def account(self, email: str) -> SimAccount:
        """The account with `email`; KeyError when there is none."""
        found = self.auth.account(email)
        if found is None:
            raise KeyError(email)
        return found

    def charger_ids(self, email: str) -> list[int]:
        """Ids of the chargers `email` can see (owners and the guest)."""
        return list(self.account(email).charger_ids)

    def revoke_refresh_tokens(self, email: str) -> None:
        """Revoke every refresh token of `email`: the next refresh answers 401."""
        with self.lock:
            self.auth.revoke(email)

    def log(self, email: str, method: str, path: str, status: int) -> None:
        with self.lock:
            self.request_log.setdefault(email.lower(), []).append(
                RequestRecord(self.clock.now(), method, path, status)
            )

    # --- chargers and sessions -----------------------------------------------------------
    def state(self, charger_id: int) -> ChargerState:
        return self._states[charger_id]

    def owner_of(self, charger_id: int) -> SimAccount:
        return self._owners[self.chargers[charger_id].owner_email]

    def users_of(self, charger_id: int) -> tuple[SimAccount, ...]:
        owner = self.owner_of(charger_id)
        if charger_id in self.guest.charger_ids:
            return owner, self.guest
        return (owner,)

    def ended_sessions(self, charger_id: int) -> list[tuple[PlannedSession, dict[str, Any]]]:
        """Sessions ended by now with their served attributes, oldest first."""
        now = self.clock.now()
        state = self._states[charger_id]
        charger, owner = self.chargers[charger_id], self.owner_of(charger_id)
        result = []
        with self.lock:
            for session in state.plan.started_by(now):
                if session.end > now:
                    continue
                attributes = self._served.get(session.id)
                if attributes is None:
                    price = state.controls_at(session.end).energy_price
                    outcome = state.outcome(session, session.end)
                    attributes = session_attributes(charger, owner, session, outcome, price)
                    self._served[session.id] = attributes
                result.append((session, attributes))
        return result

    def next_session(self, charger_id: int) -> PlannedSession:
        """The next planned session starting after now (for tests that fast-forward to it)."""
        now = self.clock.now()
        plan = self._states[charger_id].plan
        with self.lock:
            for days in range(1, 60):
                upcoming = [s for s in plan.started_by(now + timedelta(days=days)) if s.start > now]
                if upcoming:
                    return upcoming[0]
        raise LookupError(f"no session planned for charger {charger_id}")

    def current_session(self, charger_id: int) -> PlannedSession | None:
        """The session plugged in at now, if any."""
        with self.lock:
            return self._states[charger_id].plan.at(self.clock.now())

    def ground_truth_sessions(self, charger_id: int) -> list[dict[str, Any]]:
        """Attributes of every session ended by now, as served (bad ones too), oldest first."""
        return [dict(attributes) for _, attributes in self.ended_sessions(charger_id)]

    def view(self, charger_id: int) -> ChargerView:
        """The charger as the API shows it at the clock's now."""
        now = self.clock.now()
        with self.lock:
            state = self._states[charger_id]
            status_id, session, outcome = state.status_at(now)
            if session is None:
                session = state.plan.last_ended(now)
                outcome = state.outcome(session, session.end) if session else None
            return ChargerView(
                charger=self.chargers[charger_id],
                owner=self.owner_of(charger_id),
                users=self.users_of(charger_id),
                controls=state.controls_at(now),
                status_id=status_id,
                power_kw=outcome.power_kw if outcome and session and session.end > now else 0.0,
                energy_kwh=outcome.energy_kwh if outcome else 0.0,
                charging_s=outcome.charging_s if outcome else 0.0,
                discharged_kwh=session.discharged_kwh if session else 0.0,
                finished=session is None or session.end <= now or bool(outcome and outcome.full),
                now=now,
                month_totals=self._month_totals(charger_id, now),
            )

    def _month_totals(self, charger_id: int, now: datetime) -> tuple[int, int, int, int]:
        # `resume` aggregates the finished days of the current (local) month.
        local_now = now.astimezone(LOCAL_ZONE)
        month_start = local_now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        today = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
        count = seconds = energy_wh = mid_wh = 0
        state = self._states[charger_id]
        for session in reversed(state.plan.started_by(now)):
            if session.start < month_start:
                break
            if session.end > today:
                continue
            outcome = state.outcome(session, session.end)
            count += 1
            seconds += int(outcome.charging_s)
            energy_wh += round(outcome.energy_kwh * 1000)
            mid_wh += round(outcome.energy_kwh * 1000) if self.chargers[charger_id].model.mid else 0
        return count, seconds, energy_wh, mid_wh
