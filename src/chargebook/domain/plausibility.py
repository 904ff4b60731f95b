"""The plausibility rules every session and every reading from outside must pass (pure).

One rule, one function, used by every door: the cloud sync (`sync/validation.py`), the OCPP
central system's session close (`domain/ocpp_sessions.py`) and the OCPP edge
(`central_system/edge.py`).
Every rule returns a reason (a short sentence a person can act on) or None.

Timestamps: a charger or a cloud may be wrong about the time, but not by years. A moment is
plausible from `EARLIEST_PLAUSIBLE` (before any smart charger spoke OCPP 1.6 or synced to a
cloud) up to `CLOCK_TOLERANCE` ahead of the server's clock. The tolerance is a day, not
minutes, because chargers that send local time marked as UTC ("Z") run hours ahead and must
keep working; a reading far in the future would otherwise pin "the latest reading" for years.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from chargebook.domain.models import ChargingSession

EARLIEST_PLAUSIBLE = datetime(2000, 1, 1, tzinfo=UTC)
CLOCK_TOLERANCE = timedelta(days=1)
# Views have no clock to compare with, and a book may hold values stored before the edge
# refused them: pages, charts and sums leave out times outside [EARLIEST_PLAUSIBLE, this).
LATEST_SHOWN = datetime(2200, 1, 1, tzinfo=UTC)

# EU mains: 230 V per phase. Without knowing the phases, three is the upper bound.
VOLTAGE_V = Decimal(230)
MAX_PHASES = 3
# When the charger's maximum current is unknown: the highest a Wallbox model allows (48 A).
FALLBACK_MAX_CURRENT_A = 48
# The cloud rounds energy to 3 decimals and times to seconds; allow that much slack.
ENERGY_SLACK_KWH = Decimal("0.01")
ENERGY_SLACK_RATIO = Decimal("1.01")

# What the book's columns hold (db/tables.py: energy Numeric(15, 6), money Numeric(15, 4),
# registers BIGINT). A value beyond these is kept only in the raw evidence.
MAX_BOOK_ENERGY_KWH = Decimal("999999999")
MAX_BOOK_MONEY = Decimal("99999999999")
MAX_REGISTER_WH = 2**63 - 1


def is_finite(value: float | Decimal | int) -> bool:
    """True for an int, a finite float and a finite Decimal (not NaN, not +-Infinity)."""
    if isinstance(value, Decimal):
        return value.is_finite()
    return math.isfinite(value)


def timestamp_problem(name: str, moment: datetime, now: datetime | None) -> str | None:
    """Why `moment` is not a plausible time for `name`, or None.

    `now` is the server's clock; None checks only the lower bound (no clock at hand).
    """
    if moment < EARLIEST_PLAUSIBLE:
        return f"{name} {moment.isoformat()} is before {EARLIEST_PLAUSIBLE.date().isoformat()}"
    if now is not None and moment > now + CLOCK_TOLERANCE:
        return (
            f"{name} {moment.isoformat()} is more than {CLOCK_TOLERANCE.days} day ahead of "
            f"the server's clock ({now.isoformat()})"
        )
    return None


def is_shown(moment: datetime) -> bool:
    """True when a stored time is one that views show (see `LATEST_SHOWN`)."""
    return EARLIEST_PLAUSIBLE <= moment < LATEST_SHOWN


def max_energy_kwh(
    started_at: datetime, ended_at: datetime, *, max_current_a: int | None, phases: int = 3
) -> Decimal:
    """The most energy a charger can deliver in [started_at, ended_at), in kWh.

    Power bound = max current (A) x 230 V x phases; without slack (added by the caller).
    """
    current_a = Decimal(max_current_a if max_current_a else FALLBACK_MAX_CURRENT_A)
    seconds = Decimal(max(0.0, (ended_at - started_at).total_seconds()))
    return current_a * VOLTAGE_V * Decimal(phases) * seconds / Decimal(3_600_000)


def _energies(session: ChargingSession) -> tuple[tuple[str, Decimal | None], ...]:
    return (
        ("energy", session.energy_kwh),
        ("mid_energy", session.mid_energy_kwh),
        ("discharged_energy", session.discharged_energy_kwh),
    )


def check_finite_values(session: ChargingSession) -> str | None:
    """Energies and cost are numbers (Decimal comparisons with NaN raise, so this runs first)."""
    for name, value in (*_energies(session), ("cost", session.cost)):
        if value is not None and not is_finite(value):
            return f"{name} is not a finite number: {value}"
    return None


def check_negative_energy(session: ChargingSession) -> str | None:
    """Energies are never negative."""
    for name, value in _energies(session):
        if value is not None and value < 0:
            return f"negative {name}: {value} kWh"
    return None


def check_registers(session: ChargingSession) -> str | None:
    """Meter registers (OCPP meterStart/meterStop, Wh) are non-negative 64-bit numbers."""
    for name, value in (
        ("meterStart", session.meter_start_wh),
        ("meterStop", session.meter_stop_wh),
    ):
        if value is not None and not 0 <= value <= MAX_REGISTER_WH:
            return f"{name} {value} Wh is not a meter register (0 to 2^63-1 Wh)"
    return None


def check_end_before_start(session: ChargingSession) -> str | None:
    """A session ends at or after its start."""
    if session.ended_at < session.started_at:
        return (
            f"end before start: {session.ended_at.isoformat()} < {session.started_at.isoformat()}"
        )
    return None


def check_timestamps(session: ChargingSession, now: datetime | None) -> str | None:
    """Start and end are plausible times (see the module docstring)."""
    return timestamp_problem("start", session.started_at, now) or timestamp_problem(
        "end", session.ended_at, now
    )


def check_energy_above_maximum(
    session: ChargingSession, *, max_current_a: int | None, phases: int = MAX_PHASES
) -> str | None:
    """The energy fits in the charger's maximum power times the session's duration."""
    # Nearly every session is far below the bound: decide those in float arithmetic (an
    # error of ~1e-15 cannot bridge a 0.1 % margin) and leave anything near it to Decimals.
    seconds = (session.ended_at - session.started_at).total_seconds()
    current_a = max_current_a or FALLBACK_MAX_CURRENT_A
    bound_kwh = current_a * float(VOLTAGE_V) * phases * seconds / 3_600_000
    if float(session.energy_kwh) < bound_kwh * 0.999:
        return None
    limit = max_energy_kwh(
        session.started_at, session.ended_at, max_current_a=max_current_a, phases=phases
    )
    if session.energy_kwh > limit * ENERGY_SLACK_RATIO + ENERGY_SLACK_KWH:
        current = max_current_a or FALLBACK_MAX_CURRENT_A
        return (
            f"energy above the charger's maximum: {session.energy_kwh} kWh > "
            f"{limit.quantize(Decimal('0.001'))} kWh ({current} A x 230 V x {phases} phases)"
        )
    return None


def validate_session(
    session: ChargingSession,
    *,
    max_current_a: int | None,
    phases: int = MAX_PHASES,
    now: datetime | None = None,
) -> str | None:
    """The first reason to quarantine a parsed session (cloud or OCPP), or None when it may
    count. `now` is the server's clock (None: no upper bound on the timestamps)."""
    return (
        check_finite_values(session)
        or check_negative_energy(session)
        or check_registers(session)
        or check_timestamps(session, now)
        or check_end_before_start(session)
        or check_energy_above_maximum(session, max_current_a=max_current_a, phases=phases)
    )


def fits_book(session: ChargingSession) -> bool:
    """True when every value of the session fits the book's columns; a quarantined session
    that does not is stored with its raw evidence only (its parsed values dropped)."""
    if check_finite_values(session) or check_registers(session):
        return False
    energies = [value for _, value in _energies(session) if value is not None]
    if any(abs(value) > MAX_BOOK_ENERGY_KWH for value in energies):
        return False
    return session.cost is None or abs(session.cost) <= MAX_BOOK_MONEY
