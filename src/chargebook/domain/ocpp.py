"""The book's view of OCPP 1.6J charge points: registrations, boots, meter readings and
transactions. Frozen dataclasses plus the small pure rule that turns a meter register into
session energy; no I/O.

Energy registers: `meterStart`/`meterStop` are a LIFETIME register in Wh. Most chargers send
the same register in MeterValues, but some (Wallbox firmware, lbbrhzn/ocpp #1069, #2093) send
SESSION-RELATIVE energy there. `classify_register` decides from the first reading of a
transaction; the decision is kept on the transaction so later readings are read the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

# A session-relative register that has not reset yet (first reading late in a session) can
# exceed meterStart only for chargers that are almost new; this slack absorbs meter jitter.
_REGISTER_SLACK_WH = 1.0


class EnergyRegisterMode(StrEnum):
    """How a transaction's MeterValues report energy."""

    UNKNOWN = "unknown"  # no energy reading yet
    LIFETIME = "lifetime"  # same register as meterStart: session energy = value - meterStart
    SESSION = "session"  # session-relative: the value is the session energy


@dataclass(frozen=True, slots=True)
class OcppCredentials:
    """How a charge point authenticates (OCPP security profile 1, HTTP Basic)."""

    charger_id: int
    charge_point_id: str
    secret_hash: str | None = field(repr=False)  # argon2 encoded hash, None if not set
    allow_empty_password: bool
    owner_user_id: int | None


@dataclass(frozen=True, slots=True)
class OcppBoot:
    """What a BootNotification says about a charge point, plus the metering verdict."""

    vendor: str
    model: str
    serial_number: str | None
    firmware_version: str | None
    meter_type: str | None
    meter_serial_number: str | None
    metering_verdict: str  # chargebook.ere.MeteringVerdict value
    metering_explanation: str
    mid_qualifying: bool


@dataclass(frozen=True, slots=True)
class MeterReading:
    """One `meterValue` element, reduced to the measurands the book keeps.

    Energy is in Wh (converted from kWh when the unit says so), power in W, current in A.
    `extra` holds the other measurands as "measurand[.phase]" -> value.
    """

    observed_at: datetime
    energy_register_wh: float | None = None
    power_w: float | None = None
    current_a: float | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OcppTransaction:
    """A transaction as the central system holds it; open until its StopTransaction."""

    transaction_id: int
    charge_point_id: str
    connector_id: int
    id_tag: str
    meter_start_wh: int
    started_at: datetime
    energy_mode: EnergyRegisterMode
    is_open: bool
    meter_stop_wh: int | None = None
    stopped_at: datetime | None = None
    stop_reason: str | None = None
    session_id: int | None = None


@dataclass(frozen=True, slots=True)
class StopOutcome:
    """What a StopTransaction did: `duplicate` when the transaction was already closed."""

    transaction_id: int
    known: bool
    duplicate: bool
    session_id: int | None = None
    quarantine_reason: str | None = None


def classify_register(meter_start_wh: int, register_wh: float) -> EnergyRegisterMode:
    """Decide from one energy reading whether MeterValues carry the lifetime register.

    A reading below `meterStart` cannot come from the lifetime register (it only grows), so it
    is session-relative; anything else is the lifetime register.
    """
    if register_wh + _REGISTER_SLACK_WH < meter_start_wh:
        return EnergyRegisterMode.SESSION
    return EnergyRegisterMode.LIFETIME


def session_energy_wh(mode: EnergyRegisterMode, meter_start_wh: int, register_wh: float) -> float:
    """Energy (Wh) charged in the session so far, never negative."""
    if mode is EnergyRegisterMode.SESSION:
        return max(0.0, register_wh)
    return max(0.0, register_wh - meter_start_wh)


def final_energy_wh(
    mode: EnergyRegisterMode, meter_start_wh: int, meter_stop_wh: int
) -> tuple[int | None, str | None]:
    """The session energy (Wh) from meterStart/meterStop, or None and a quarantine reason.

    `meterStop` below `meterStart` is impossible for a lifetime register; a charger whose
    MeterValues were session-relative may also report a session-relative `meterStop`, so then
    `meterStop` itself is the energy.
    """
    if meter_stop_wh >= meter_start_wh:
        return meter_stop_wh - meter_start_wh, None
    if mode is EnergyRegisterMode.SESSION and meter_stop_wh >= 0:
        return meter_stop_wh, None
    return None, f"meterStop {meter_stop_wh} Wh is below meterStart {meter_start_wh} Wh"
