"""Each charger's planned sessions and their meter register (deterministic from the seed).

A charger's register (kWh) only grows; every session moves it by its energy, so the OCMF
begin/end readings, `Energy` and the hourly signed meter value all agree, as on a real meter.
Sessions are planned from `days` before the simulator's start to 60 days after it, so live
state follows an advancing clock; the history serves only sessions that have ended.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from chargebook.simulator.zaptec.fleet import SimCharger

FUTURE = timedelta(days=60)
VARIANTS = ("signed_null", "signed_absent", "ocmf_no_end")
BAD_KINDS = ("negative_energy", "end_before_start", "energy_not_a_number")


@dataclass(frozen=True, slots=True)
class PlannedSession:
    id: str
    number: int  # the charger's transaction counter (OCMF `PG` "T<n>")
    start: datetime
    charging_end: datetime  # the car stops drawing power; it stays connected until `end`
    end: datetime
    register_start_kwh: float
    energy_kwh: float
    variant: str | None  # one of VARIANTS, or None for the full documented shape
    bad_kind: str | None

    def register_at(self, moment: datetime) -> float:
        """The meter register (kWh) at `moment` within the session (linear while charging)."""
        if moment <= self.start:
            return self.register_start_kwh
        if moment >= self.charging_end:
            return round(self.register_start_kwh + self.energy_kwh, 3)
        share = (moment - self.start) / (self.charging_end - self.start)
        return round(self.register_start_kwh + self.energy_kwh * share, 3)

    @property
    def power_w(self) -> float:
        hours = (self.charging_end - self.start).total_seconds() / 3600
        return self.energy_kwh / hours * 1000 if hours > 0 else 0.0


def plan_sessions(
    charger: SimCharger,
    *,
    seed: int,
    history_start: datetime,
    until: datetime,
    variant_rate: float,
    bad_session_rate: float,
) -> list[PlannedSession]:
    rng = random.Random(f"zapsim-sessions:{seed}:{charger.id}")
    register = round(rng.uniform(50, 3000), 3)
    cursor = history_start + timedelta(hours=rng.uniform(1, 24))
    sessions: list[PlannedSession] = []
    number = rng.randrange(1, 400)
    while cursor < until:
        connected = timedelta(minutes=rng.randrange(30, 14 * 60))
        charging = connected * rng.uniform(0.3, 0.9)
        # Well under the charger's maximum (230 V x 3 phases x its current).
        power_kw = rng.uniform(1.4, min(11.0, charger.max_current_a * 0.69))
        energy = round(power_kw * charging.total_seconds() / 3600, 3)
        start = cursor.replace(microsecond=rng.randrange(0, 1000) * 1000)
        roll_variant, roll_bad = rng.random(), rng.random()
        variant = VARIANTS[rng.randrange(len(VARIANTS))] if roll_variant < variant_rate else None
        if not charger.mid_evidence:
            variant = "signed_absent"  # old firmware: no signed sessions at all
        bad = BAD_KINDS[rng.randrange(len(BAD_KINDS))] if roll_bad < bad_session_rate else None
        sessions.append(
            PlannedSession(
                id=_uuid(rng),
                number=number,
                start=start,
                charging_end=start + charging,
                end=start + connected,
                register_start_kwh=register,
                energy_kwh=energy,
                variant=variant,
                bad_kind=bad,
            )
        )
        register = round(register + energy, 3)
        number += 1
        cursor = start + connected + timedelta(hours=rng.uniform(2, 40))
    return sessions


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
