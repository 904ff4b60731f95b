"""Live state of one charger: a timeline of control snapshots plus the planned sessions.

Commands and settings append a `Controls` snapshot at the clock's now; the op mode, power,
session energy, the lifetime meter and every finished session are computed from the plan and
that timeline, so the same writes at the same times always give the same ground truth.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from chargebook.simulator.easee.fleet import MIN_CURRENT_A, SimCharger
from chargebook.simulator.easee.sessions import PlannedSession, SessionPlan

REBOOT_S = 90
# chargerOpMode (pyeasee STATUS, reference §2.5)
OFFLINE, DISCONNECTED, AWAITING_START, CHARGING, COMPLETED = 0, 1, 2, 3, 4
# reasonForNoCurrent (pyeasee REASON_FOR_NO_CURRENT)
NO_REASON, CHARGER_DISABLED, EV_NOT_CHARGING = 0, 53, 79


@dataclass(frozen=True)
class Controls:
    """Everything a write can change; one immutable snapshot per change."""

    enabled: bool
    max_current_a: int
    dynamic_current_a: float
    circuit_dynamic_a: float = 40.0
    cable_locked_permanently: bool = False
    smart_charging: bool = False
    paused_session: int | None = None  # pause/stop holds for that session only
    reboot_at: datetime | None = None
    settings: dict[str, Any] = field(default_factory=dict)  # stored, shown in the config

    def rebooting(self, moment: datetime) -> bool:
        if self.reboot_at is None:
            return False
        return 0 <= (moment - self.reboot_at).total_seconds() < REBOOT_S

    def limit_a(self) -> float:
        return max(0.0, min(self.max_current_a, self.dynamic_current_a, self.circuit_dynamic_a))


@dataclass(frozen=True)
class Outcome:
    """A session measured up to some moment: energy (kWh), charging seconds, power (kW)."""

    energy_kwh: float
    charging_s: float
    power_kw: float
    full: bool
    first_transfer: datetime | None
    last_transfer: datetime | None


class ChargerState:
    """Timeline of controls and the session plan of one charger."""

    def __init__(self, charger: SimCharger, plan: SessionPlan, created: datetime) -> None:
        self.charger = charger
        self.plan = plan
        current = charger.initial_max_current_a
        self._times: list[datetime] = [created]
        self._snapshots = [Controls(enabled=True, max_current_a=current, dynamic_current_a=current)]
        self._ended: dict[int, Outcome] = {}

    def controls_at(self, moment: datetime) -> Controls:
        index = bisect.bisect_right(self._times, moment) - 1
        return self._snapshots[max(index, 0)]

    def change(self, now: datetime, **changes: Any) -> Controls:
        """Record a write at `now` (the clock never runs backwards)."""
        updated = replace(self._snapshots[-1], **changes)
        self._times.append(max(now, self._times[-1]))
        self._snapshots.append(updated)
        return updated

    @property
    def latest(self) -> Controls:
        return self._snapshots[-1]

    def power_at(self, session: PlannedSession, controls: Controls, moment: datetime) -> float:
        if controls.rebooting(moment) or not controls.enabled:
            return 0.0
        if controls.paused_session == session.id or controls.limit_a() < MIN_CURRENT_A:
            return 0.0
        return min(session.power_kw, self.charger.power_limit_kw(controls.limit_a()))

    def outcome(self, session: PlannedSession, moment: datetime) -> Outcome:
        """The session measured up to `moment` (capped at its end)."""
        upto = min(moment, session.end)
        if upto >= session.end and session.id in self._ended:
            return self._ended[session.id]
        points = {session.start, upto}
        for when, snap in zip(self._times, self._snapshots, strict=True):
            if when >= upto:
                break
            points.add(when)
            if snap.reboot_at is not None:
                points.add(snap.reboot_at + timedelta(seconds=REBOOT_S))
        ordered = sorted(p for p in points if session.start <= p <= upto)
        energy = charging_s = 0.0
        first: datetime | None = None
        last: datetime | None = None
        full = False
        for a, b in itertools.pairwise(ordered):
            power = self.power_at(session, self.controls_at(a), a)
            if power <= 0:
                continue
            first = first or a
            seconds = (b - a).total_seconds()
            need = session.demand_kwh - energy
            if power * seconds / 3600 >= need:
                charging_s += need / power * 3600
                energy, full = session.demand_kwh, True
                last = a + timedelta(seconds=round(need / power * 3600))
                break
            energy += power * seconds / 3600
            charging_s += seconds
            last = b
        now_power = 0.0 if full else self.power_at(session, self.controls_at(upto), upto)
        if upto >= session.end:
            now_power = 0.0
        result = Outcome(energy, charging_s, now_power, full, first, last)
        if upto >= session.end:
            self._ended[session.id] = result
        return result

    def op_mode_at(
        self, moment: datetime
    ) -> tuple[int, int, PlannedSession | None, Outcome | None]:
        """(chargerOpMode, reasonForNoCurrent, session plugged in, its outcome so far)."""
        controls = self.controls_at(moment)
        session = self.plan.at(moment)
        outcome = self.outcome(session, moment) if session is not None else None
        if controls.rebooting(moment):
            return OFFLINE, NO_REASON, session, outcome
        if session is None or outcome is None:
            return DISCONNECTED, (NO_REASON if controls.enabled else CHARGER_DISABLED), None, None
        if not controls.enabled:
            return AWAITING_START, CHARGER_DISABLED, session, outcome
        if outcome.full:
            return COMPLETED, EV_NOT_CHARGING, session, outcome
        if outcome.power_kw <= 0:
            return AWAITING_START, NO_REASON, session, outcome
        return CHARGING, NO_REASON, session, outcome

    def lifetime_kwh(self, moment: datetime) -> float:
        """The meter register: the charger's start value plus every session's energy."""
        total = self.charger.lifetime_start_kwh
        for session in self.plan.started_by(moment):
            total += self.outcome(session, moment).energy_kwh
        return total
