"""Live state of one charger: a timeline of control snapshots plus the planned sessions.

Writes append a new `Controls` snapshot at the clock's now; everything shown (status code,
power, energy so far, finished sessions) is computed from the plan and that timeline, so the
same writes at the same times always give the same readings and the same ground truth.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from chargebook.simulator.wallbox.fleet import SimCharger
from chargebook.simulator.wallbox.schedules import Schedule, blocked_by_schedule, boundaries
from chargebook.simulator.wallbox.sessions import PlannedSession, SessionPlan

REBOOT_READY_S = 5  # the status stays READY briefly before the charger drops off
REBOOT_OFFLINE_S = 90
UPDATE_S = 300
MIN_CURRENT_A = 6

READY, CHARGING, WAITING_DEMAND, PAUSED, SCHEDULED = 161, 194, 181, 182, 179
LOCKED, LOCKED_CAR, UPDATING, OFFLINE = 209, 210, 166, 0


@dataclass(frozen=True)
class EcoSmart:
    enabled: bool = False
    mode: int = 0
    percentage: int = 100


@dataclass(frozen=True)
class Controls:
    """Everything a write can change; one immutable snapshot per change."""

    locked: bool
    current_a: int
    energy_price: float
    icp_max_current: int | None
    home_sharing: int = 0
    ecosmart: EcoSmart = field(default_factory=EcoSmart)
    schedules: tuple[Schedule, ...] = ()
    paused_session: int | None = None  # pause (action 2) lasts for that session only
    override_session: int | None = None  # resume (action 1) overrides schedules for a session
    reboot_at: datetime | None = None
    update_started_at: datetime | None = None

    def rebooting(self, moment: datetime) -> int | None:
        """Status code while a reboot is in progress at `moment`, else None."""
        if self.reboot_at is None:
            return None
        elapsed = (moment - self.reboot_at).total_seconds()
        if 0 <= elapsed < REBOOT_READY_S:
            return READY
        if REBOOT_READY_S <= elapsed < REBOOT_READY_S + REBOOT_OFFLINE_S:
            return OFFLINE
        return None

    def updating(self, moment: datetime) -> bool:
        if self.update_started_at is None:
            return False
        return 0 <= (moment - self.update_started_at).total_seconds() < UPDATE_S

    def updated(self, moment: datetime) -> bool:
        if self.update_started_at is None:
            return False
        return (moment - self.update_started_at).total_seconds() >= UPDATE_S


@dataclass(frozen=True)
class Outcome:
    """A session as measured up to some moment: energy (kWh), charging seconds, power (kW)."""

    energy_kwh: float
    charging_s: float
    power_kw: float
    full: bool


class ChargerState:
    """Timeline of controls and the session plan of one charger."""

    def __init__(self, charger: SimCharger, plan: SessionPlan, created: datetime) -> None:
        self.charger = charger
        self.plan = plan
        self._times: list[datetime] = [created]
        self._snapshots: list[Controls] = [
            Controls(
                locked=False,
                current_a=charger.initial_current_a,
                energy_price=charger.initial_energy_price,
                icp_max_current=charger.initial_icp_max_current,
            )
        ]
        self._ended: dict[int, Outcome] = {}

    @property
    def initial_controls(self) -> Controls:
        """Controls as the fleet was created (what a factory reset goes back to)."""
        return self._snapshots[0]

    def controls_at(self, moment: datetime) -> Controls:
        index = bisect.bisect_right(self._times, moment) - 1
        return self._snapshots[max(index, 0)]

    def change(self, now: datetime, **changes: object) -> Controls:
        """Record a write at `now` (the clock never runs backwards)."""
        updated = replace(self._snapshots[-1], **changes)  # type: ignore[arg-type]
        self._times.append(max(now, self._times[-1]))
        self._snapshots.append(updated)
        return updated

    def power_at(self, session: PlannedSession, controls: Controls, moment: datetime) -> float:
        """Power in kW the car draws at `moment` unless it is already full."""
        if controls.rebooting(moment) is not None or controls.updating(moment):
            return 0.0
        if controls.locked or controls.paused_session == session.id:
            return 0.0
        if controls.override_session != session.id and blocked_by_schedule(
            controls.schedules, moment
        ):
            return 0.0
        return min(session.power_kw, self.charger.power_limit_kw(controls.current_a))

    def _breakpoints(self, session: PlannedSession, upto: datetime) -> list[datetime]:
        points = {session.start, upto}
        for when, snap in zip(self._times, self._snapshots, strict=True):
            if when >= upto:
                break
            points.add(when)
            if snap.reboot_at is not None:
                points.add(snap.reboot_at + timedelta(seconds=REBOOT_READY_S + REBOOT_OFFLINE_S))
            if snap.update_started_at is not None:
                points.add(snap.update_started_at + timedelta(seconds=UPDATE_S))
            points.update(boundaries(snap.schedules, session.start, upto))
        return sorted(p for p in points if session.start <= p <= upto)

    def outcome(self, session: PlannedSession, moment: datetime) -> Outcome:
        """The session measured up to `moment` (capped at its end)."""
        upto = min(moment, session.end)
        if upto >= session.end and session.id in self._ended:
            return self._ended[session.id]
        if len(self._times) == 1 or self._times[1] > upto:
            # No write touched this session: closed form of the plan.
            elapsed = max(0.0, (upto - session.start).total_seconds())
            charging_s = min(elapsed, float(session.planned_charging_s))
            full = elapsed >= session.planned_charging_s
            energy = session.demand_kwh if full else session.power_kw * charging_s / 3600
            result = Outcome(energy, charging_s, 0.0 if full else session.power_kw, full)
        else:
            result = self._integrate(session, upto)
        if upto >= session.end:
            result = Outcome(result.energy_kwh, result.charging_s, 0.0, result.full)
            self._ended[session.id] = result
        return result

    def _integrate(self, session: PlannedSession, upto: datetime) -> Outcome:
        energy = charging_s = 0.0
        points = self._breakpoints(session, upto)
        for a, b in itertools.pairwise(points):
            power = self.power_at(session, self.controls_at(a), a)
            if power <= 0:
                continue
            seconds = (b - a).total_seconds()
            need = session.demand_kwh - energy
            if power * seconds / 3600 >= need:
                return Outcome(session.demand_kwh, charging_s + need / power * 3600, 0.0, True)
            energy += power * seconds / 3600
            charging_s += seconds
        now_power = self.power_at(session, self.controls_at(upto), upto)
        return Outcome(energy, charging_s, now_power, False)

    def status_at(self, moment: datetime) -> tuple[int, PlannedSession | None, Outcome | None]:
        """Status code, the session plugged in (if any) and its outcome so far."""
        controls = self.controls_at(moment)
        session = self.plan.at(moment)
        outcome = self.outcome(session, moment) if session is not None else None
        rebooting = controls.rebooting(moment)
        if rebooting is not None:
            return rebooting, session, outcome
        if controls.updating(moment):
            return UPDATING, session, outcome
        if session is None or outcome is None:
            return (LOCKED if controls.locked else READY), None, None
        if controls.locked:
            return LOCKED_CAR, session, outcome
        if controls.paused_session == session.id:
            return PAUSED, session, outcome
        if outcome.full:
            return WAITING_DEMAND, session, outcome
        if outcome.power_kw <= 0:
            return SCHEDULED, session, outcome
        return CHARGING, session, outcome
