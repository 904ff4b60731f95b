"""One plugged-in session as the smart controller tracks it (`ControlSession`), and the pure
arithmetic on it: when the car was plugged in, the energy accounted per reading, the limits
the car really allows and the current a planned power needs."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from chargebook.domain.prices import ChargeGoal, ChargerLimits, PlanOptions, PriceCurve
from chargebook.domain.smart import ChargerReading
from chargebook.smart.ledger import EnergyLedger

EPS_KWH = 1e-3


@dataclass(slots=True)
class ControlSession:
    """The controller's state for the car plugged in now."""

    plugged_in_at: datetime
    last_read_at: datetime
    last_energy_kwh: float
    goal: ChargeGoal | None = None
    baseline_kwh: float = 0.0
    curve: PriceCurve | None = None
    prices_checked_at: datetime | None = None
    prices_failing: bool = False
    car_power_kw: float | None = None
    running_until: datetime | None = None
    overrun_warned: bool = False
    goal_reached: bool = False
    planned: bool = False
    options: PlanOptions | None = None  # the repeating plan's strategy (None: settings')
    ledger: EnergyLedger = field(default_factory=EnergyLedger)


def plugged_in_since(reading: ChargerReading, last_read_at: datetime | None) -> datetime:
    """When the car of a session first seen in `reading` was plugged in: estimated back from
    the energy it already took, never before the last reading that saw no car."""
    now = reading.observed_at
    plugged_in = now
    if reading.charging and reading.power_kw > 0 and reading.session_energy_kwh > 0:
        plugged_in = now - timedelta(hours=reading.session_energy_kwh / reading.power_kw)
    if last_read_at is not None:
        plugged_in = max(plugged_in, last_read_at)
    return plugged_in


def account_reading(
    session: ControlSession, reading: ChargerReading, limits: ChargerLimits
) -> None:
    """Book the energy since the session's last reading, and learn what the car can draw."""
    delta = reading.session_energy_kwh - session.last_energy_kwh
    if delta < -EPS_KWH:  # the counter restarted: a new session we did not see begin
        delta = reading.session_energy_kwh
    power = reading.power_kw if reading.charging else 0.0
    session.ledger.add(session.last_read_at, reading.observed_at, delta, power)
    session.last_energy_kwh = reading.session_energy_kwh
    session.last_read_at = reading.observed_at
    if reading.charging and reading.power_kw > 0:
        at_max = reading.current_limit_a is None or (
            reading.current_limit_a >= limits.max_current_a - 0.5
        )
        if at_max:
            learned = min(reading.power_kw, limits.power_kw)
            session.car_power_kw = max(session.car_power_kw or 0.0, learned)


def session_limits(limits: ChargerLimits, car_power_kw: float | None) -> ChargerLimits:
    """The charger's limits, narrowed to the power the car was seen to draw at full current."""
    if car_power_kw is None or car_power_kw >= limits.power_kw - 1e-6:
        return limits
    # The car, not the charger, is the limit: plan with what it actually draws.
    per_amp_kw = limits.phases * limits.voltage_v / 1000.0
    return replace(
        limits,
        min_current_a=min(limits.min_current_a, car_power_kw / per_amp_kw),
        max_power_kw=car_power_kw,
    )


def max_amps(limits: ChargerLimits) -> int:
    """The charger's full current in whole amperes."""
    return int(limits.max_current_a)


def amps_for(power_kw: float | None, limits: ChargerLimits, planned: ChargerLimits) -> int:
    """The current for a slot planned at `power_kw` with the `planned` (session) limits."""
    # Only the planner's "minimum power for part of a quarter" slots are throttled. A
    # slot planned between minimum and full power runs at full power: the goal is met a
    # little earlier and the next re-plan shrinks the rest, which costs no extra writes
    # (Wallbox allows 5 a minute, and some firmware misbehaves on frequent current changes).
    if power_kw is None or power_kw > planned.min_power_kw + 0.05:
        return max_amps(limits)
    per_amp_kw = limits.phases * limits.voltage_v / 1000.0
    amps = math.ceil(power_kw / per_amp_kw - 1e-6)
    return max(math.ceil(limits.min_current_a), min(max_amps(limits), amps))
