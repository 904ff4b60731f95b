"""Planned charging sessions: a car's visit per charger and local day, from the seed.

Every (seed, charger, day) has its own RNG, so a day's session does not depend on how far the
history was generated before. Session ids are small integers counted per charger, as Easee's
are (reference §2.6: not globally unique; key them by charger and id).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chargebook.simulator.easee.fleet import SimCharger

LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")
BAD_KINDS: tuple[str, ...] = ("missing_energy", "wrong_type", "negative_energy", "end_before_start")
SESSION_PROBABILITY = 0.75


@dataclass(frozen=True)
class PlannedSession:
    """Plugged in at `start`, unplugged at `end` (UTC); `demand_kwh` at `power_kw`."""

    id: int
    charger_id: str
    start: datetime
    end: datetime
    demand_kwh: float
    power_kw: float
    bad_kind: str | None
    short_item: bool  # served without actualDurationSeconds and the transfer period times

    @property
    def planned_charging_s(self) -> int:
        return math.ceil(self.demand_kwh / self.power_kw * 3600)


def plan_day(
    charger: SimCharger, seed: int, day: date, bad_rate: float, short_rate: float
) -> tuple[datetime, datetime, float, float, str | None, bool] | None:
    """The visit of local `day` (start, end, demand, power, bad kind, short), or None."""
    rng = random.Random(f"easeesim-day:{seed}:{charger.id}:{day.toordinal()}")
    # Draw every value unconditionally so one knob never shifts the others.
    present = rng.random() < SESSION_PROBABILITY
    arrival_min = rng.uniform(16.5 * 60, 21.5 * 60)
    departure_min = rng.uniform(6.5 * 60, 9.0 * 60)
    demand_kwh = round(rng.triangular(2.0, 50.0, 12.0), 3)
    power_kw = round(rng.uniform(3.7, min(11.0, charger.power_limit_kw(16))), 2)
    linger_s = rng.uniform(600, 3600)
    bad_draw, bad_kind = rng.random(), BAD_KINDS[rng.randrange(len(BAD_KINDS))]
    short = rng.random() < short_rate
    if not present:
        return None
    midnight = datetime.combine(day, time(0), tzinfo=LOCAL_ZONE)
    start = (midnight + timedelta(minutes=arrival_min)).astimezone(UTC).replace(microsecond=0)
    departure = midnight + timedelta(days=1, minutes=departure_min)
    charging_s = math.ceil(demand_kwh / power_kw * 3600)
    end = max(departure.astimezone(UTC), start + timedelta(seconds=charging_s + linger_s))
    return (
        start,
        end.replace(microsecond=0),
        demand_kwh,
        power_kw,
        bad_kind if bad_draw < bad_rate else None,
        short,
    )


class SessionPlan:
    """Lazily generated, cached sessions of one charger from `history_start` on."""

    def __init__(
        self,
        charger: SimCharger,
        seed: int,
        history_start: datetime,
        bad_rate: float,
        short_rate: float,
    ) -> None:
        self._charger = charger
        self._seed = seed
        self._bad_rate = bad_rate
        self._short_rate = short_rate
        self._history_start = history_start
        self._sessions: list[PlannedSession] = []
        self._next_day = history_start.astimezone(LOCAL_ZONE).date()

    def _extend_to(self, day: date) -> None:
        while self._next_day <= day:
            planned = plan_day(
                self._charger, self._seed, self._next_day, self._bad_rate, self._short_rate
            )
            if planned is not None and planned[0] >= self._history_start:
                start, end, demand, power, bad, short = planned
                self._sessions.append(
                    PlannedSession(
                        len(self._sessions) + 1,
                        self._charger.id,
                        start,
                        end,
                        demand,
                        power,
                        bad,
                        short,
                    )
                )
            self._next_day += timedelta(days=1)

    def started_by(self, moment: datetime) -> list[PlannedSession]:
        """Sessions with start <= moment, oldest first."""
        self._extend_to(moment.astimezone(LOCAL_ZONE).date())
        return [s for s in self._sessions if s.start <= moment]

    def at(self, moment: datetime) -> PlannedSession | None:
        """The session plugged in at `moment` (start <= moment < end), if any."""
        for session in reversed(self.started_by(moment)[-2:]):
            if session.start <= moment < session.end:
                return session
        return None

    def last_ended(self, moment: datetime) -> PlannedSession | None:
        for session in reversed(self.started_by(moment)[-2:]):
            if session.end <= moment:
                return session
        return None
