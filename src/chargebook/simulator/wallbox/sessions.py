"""Planned charging sessions: what the car wants, generated lazily per charger and local day.

Every (seed, charger, day) has its own RNG, so a day's session does not depend on how far the
history was generated before: the same seed gives the same sessions however the clock moves.
"""

from __future__ import annotations

import functools
import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chargebook.simulator.wallbox.fleet import TIMEZONE, SimCharger

LOCAL_ZONE = ZoneInfo(TIMEZONE)
BAD_KINDS: tuple[str, ...] = (
    "missing_field",
    "wrong_type",
    "negative_energy",
    "end_before_start",
    "energy_above_max",
)
SESSION_PROBABILITY = 0.75


@dataclass(frozen=True)
class PlannedSession:
    """A car's visit: plugged in at `start`, unplugged at `end` (both UTC).

    `demand_kwh` is what the car takes if nothing interrupts it, at `power_kw`.
    """

    id: int
    charger_id: int
    start: datetime
    end: datetime
    demand_kwh: float
    power_kw: float
    discharged_kwh: float
    bad_kind: str | None

    @property
    def planned_charging_s(self) -> int:
        return math.ceil(self.demand_kwh / self.power_kw * 3600)


@functools.lru_cache(maxsize=4096)
def _local_midnight_epoch(day: date) -> float:
    return datetime.combine(day, time(0), tzinfo=LOCAL_ZONE).timestamp()


def plan_day(
    charger: SimCharger, seed: int, day: date, bad_rate: float, rng: random.Random | None = None
) -> PlannedSession | None:
    """The session that arrives on local `day`, or None on days without one.

    `rng` is only a reusable generator object (it is re-seeded here for the day).
    """
    rng = rng or random.Random()
    rng.seed((seed * 1_000_003 + charger.id) * 1_000_003 + day.toordinal())
    # Draw every value unconditionally so one knob (bad_rate) never shifts the others.
    present = rng.random() < SESSION_PROBABILITY
    arrival_min = rng.uniform(16.5 * 60, 21.5 * 60)  # evening arrivals
    departure_min = rng.uniform(6.5 * 60, 9.0 * 60)  # next morning
    demand_kwh = round(rng.triangular(2.0, 60.0, 12.0), 3)
    limit_kw = min(11.0, charger.power_limit_kw(charger.initial_current_a))
    power_kw = round(rng.uniform(3.7, limit_kw), 2)
    linger_s = rng.uniform(600, 3600)
    discharge = rng.random() < 0.2 and charger.model.bidirectional
    discharged_kwh = round(rng.uniform(1.0, 8.0), 3) if discharge else 0.0
    bad_draw = rng.random()
    bad_kind = BAD_KINDS[rng.randrange(len(BAD_KINDS))]
    if not present:
        return None
    start_s = int(_local_midnight_epoch(day) + arrival_min * 60)
    departure_s = _local_midnight_epoch(day + timedelta(days=1)) + departure_min * 60
    charging_s = math.ceil(demand_kwh / power_kw * 3600)
    end_s = int(max(departure_s, start_s + charging_s + linger_s))
    return PlannedSession(
        id=day.toordinal() * 100_000 + charger.index,
        charger_id=charger.id,
        start=datetime.fromtimestamp(start_s, UTC),
        end=datetime.fromtimestamp(end_s, UTC),
        demand_kwh=demand_kwh,
        power_kw=power_kw,
        discharged_kwh=discharged_kwh,
        bad_kind=bad_kind if bad_draw < bad_rate else None,
    )


class SessionPlan:
    """Lazily generated, cached planned sessions of one charger from `history_start` on."""

    def __init__(
        self, charger: SimCharger, seed: int, history_start: datetime, bad_rate: float
    ) -> None:
        self._charger = charger
        self._seed = seed
        self._bad_rate = bad_rate
        self._history_start = history_start
        self._sessions: list[PlannedSession] = []
        self._rng = random.Random()
        self._next_day = history_start.astimezone(LOCAL_ZONE).date()

    def _extend_to(self, day: date) -> None:
        while self._next_day <= day:
            planned = plan_day(self._charger, self._seed, self._next_day, self._bad_rate, self._rng)
            if planned is not None and planned.start >= self._history_start:
                self._sessions.append(planned)
            self._next_day += timedelta(days=1)

    def started_by(self, moment: datetime) -> list[PlannedSession]:
        """Sessions with start <= moment, oldest first (a sorted list shared with the cache)."""
        self._extend_to(moment.astimezone(LOCAL_ZONE).date())
        result = self._sessions
        if result and result[-1].start > moment:
            return [s for s in result if s.start <= moment]
        return result

    def at(self, moment: datetime) -> PlannedSession | None:
        """The session plugged in at `moment` (start <= moment < end), if any."""
        started = self.started_by(moment)
        for session in reversed(started[-2:]):
            if session.start <= moment < session.end:
                return session
        return None

    def last_ended(self, moment: datetime) -> PlannedSession | None:
        """The most recent session with end <= moment."""
        for session in reversed(self.started_by(moment)[-2:]):
            if session.end <= moment:
                return session
        return None
