"""The charger's MID meter log: one planned session per evening, deterministic from the seed.

Sessions are planned day by day from `days` before the simulator started, on into the future,
so the log and the live state follow the injected clock: a session is in the log once its car
plugged in (`SessionEndTime` and `SessionEndEnergymWh` null while it runs) and the meter's
`EnergyTotal` register grows linearly while a car charges. Energies in the log are mWh, the
REST API's registers Wh (the real units: python-peblar's models and HA's sensor units).
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

START_REGISTER_MWH = 1_234_567_000  # the meter had counted 1,234.567 kWh before the first day


@dataclass(frozen=True, slots=True)
class PlannedSession:
    number: int
    plugged_at: datetime
    charged_until: datetime
    unplugged_at: datetime
    power_w: int
    start_mwh: int
    energy_mwh: int
    auth_token: str | None
    corrupted: bool

    def delivered_mwh(self, now: datetime) -> int:
        """Energy delivered up to `now` (linear while charging)."""
        if now <= self.plugged_at:
            return 0
        if now >= self.charged_until:
            return self.energy_mwh
        span = (self.charged_until - self.plugged_at).total_seconds()
        done = (now - self.plugged_at).total_seconds()
        return int(self.energy_mwh * done / span)

    def checksum(self) -> int:
        text = f"{self.number}:{self.plugged_at.timestamp():.0f}:{self.start_mwh}:{self.energy_mwh}"
        return zlib.crc32(text.encode()) & 0xFFFF


class MeterLog:
    """The planned sessions of one charger, extended lazily as the clock moves on."""

    def __init__(
        self, *, seed: int, first_day: datetime, max_power_w: int, bad_rate: float
    ) -> None:
        self._seed = seed
        self._first_day = first_day.astimezone(UTC).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        self._max_power_w = max_power_w
        self._bad_rate = bad_rate
        self._sessions: list[PlannedSession] = []
        self._planned_days = 0

    def _plan_until(self, moment: datetime) -> None:
        while self._first_day + timedelta(days=self._planned_days) <= moment:
            self._plan_day(self._planned_days)
            self._planned_days += 1

    def _plan_day(self, day: int) -> None:
        rng = random.Random(f"peblar-day:{self._seed}:{day}")
        if rng.random() < 0.3:  # no car that evening
            return
        midnight = self._first_day + timedelta(days=day)
        plugged = midnight + timedelta(hours=17, seconds=rng.randrange(0, 4 * 3600))
        energy_mwh = rng.randrange(4_000_000, 40_000_000)
        power_w = int(self._max_power_w * rng.uniform(0.6, 1.0))
        charged = plugged + timedelta(seconds=round(energy_mwh / power_w * 3.6))
        unplugged = charged + timedelta(seconds=rng.randrange(600, 6 * 3600))
        previous = self._sessions[-1] if self._sessions else None
        start_mwh = previous.start_mwh + previous.energy_mwh if previous else START_REGISTER_MWH
        token = None if rng.random() < 0.5 else f"04:{rng.randrange(16**6):06X}"
        self._sessions.append(
            PlannedSession(
                number=len(self._sessions) + 1,
                plugged_at=plugged,
                charged_until=charged,
                unplugged_at=unplugged,
                power_w=power_w,
                start_mwh=start_mwh,
                energy_mwh=energy_mwh,
                auth_token=token,
                corrupted=rng.random() < self._bad_rate,
            )
        )

    def started(self, now: datetime) -> list[PlannedSession]:
        """Sessions whose car plugged in before `now`, oldest first."""
        self._plan_until(now)
        return [s for s in self._sessions if s.plugged_at <= now]

    def ended(self, now: datetime) -> list[PlannedSession]:
        return [s for s in self.started(now) if s.unplugged_at <= now]

    def current(self, now: datetime) -> PlannedSession | None:
        started = self.started(now)
        if started and now < started[-1].unplugged_at:
            return started[-1]
        return None

    def register_mwh(self, now: datetime) -> int:
        """The meter's lifetime register at `now`."""
        started = self.started(now)
        if not started:
            return START_REGISTER_MWH
        last = started[-1]
        return last.start_mwh + last.delivered_mwh(now)


def history_item(session: PlannedSession, now: datetime) -> dict[str, Any]:
    """One `Session` item of `statistics/meterhistory` as the charger serves it at `now`."""
    ended = session.unplugged_at <= now
    return {
        "AuthToken": session.auth_token,
        "Checksum": session.checksum(),
        "SessionNumber": session.number,
        "SessionStartEnergymWh": session.start_mwh,
        "SessionStartTime": int(session.plugged_at.timestamp()),
        "SessionEndEnergymWh": session.start_mwh + session.energy_mwh if ended else None,
        "SessionEndTime": int(session.unplugged_at.timestamp()) if ended else None,
    }
