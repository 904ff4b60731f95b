"""The book's view of OCPP 1.6J charge points: registrations, boots, meter readings and
transactions. Frozen dataclasses plus the small pure rule that turns a meter register into
session energy; no I/O.

Energy registers: `meterStart`/`meterStop` are a LIFETIME register in Wh. Most chargers send
the same register in MeterValues, but some (ABB Terra AC, Growatt THOR; lbbrhzn/ocpp #919,
#1466) send SESSION-RELATIVE energy there. `decide_register_mode` decides from evidence that
survives a spurious 0: a register of (about) 0 decides nothing, since a Wallbox Pulsar or a
MicroOcpp charger may send 0 before its lifetime register (issue 15); the first reading above
0 decides, and a "session" decision is revised when a later register could only be the
lifetime one (at or above meterStart and more energy than the charger could have delivered
since the start). The decision is kept on the transaction so later readings read the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from chargebook.domain.models import ChargerState

# A session-relative register that has not reset yet (first reading late in a session) can
# exceed meterStart only for chargers that are almost new; this slack absorbs meter jitter.
_REGISTER_SLACK_WH = 1.0
# No charger this book meets delivers more than this (the largest AC/DC home and office
# chargers stay below 50 kW); energy beyond it since the start is not a session's energy.
_MAX_POWER_W = 50_000.0
_PLAUSIBILITY_SLACK_WH = 1_000.0


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
    min_security_profile: int = 0  # `domain.ocpp_security`: refused below, raised above


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
    # The register at the transaction's begin, when sent next to this moment's values
    # (context Transaction.Begin); evidence only, never this moment's register.
    begin_register_wh: float | None = None


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
    ocpp_transaction_id: str | None = None  # OCPP 2.0.1: the station's own transactionId


@dataclass(frozen=True, slots=True)
class StopOutcome:
    """What a StopTransaction did: `duplicate` when the transaction was already closed."""

    transaction_id: int
    known: bool
    duplicate: bool
    session_id: int | None = None
    quarantine_reason: str | None = None


def classify_register(meter_start_wh: int, register_wh: float) -> EnergyRegisterMode:
    """Decide from one energy reading above 0 whether MeterValues carry the lifetime register.

    A reading below `meterStart` cannot come from the lifetime register (it only grows), so it
    is session-relative; anything else is the lifetime register.
    """
    if register_wh + _REGISTER_SLACK_WH < meter_start_wh:
        return EnergyRegisterMode.SESSION
    return EnergyRegisterMode.LIFETIME


def decide_register_mode(
    mode: EnergyRegisterMode,
    meter_start_wh: int,
    started_at: datetime,
    register_wh: float,
    observed_at: datetime,
) -> EnergyRegisterMode:
    """The transaction's register mode after one more energy reading (pure; see module doc).

    - A register of about 0 is no evidence (a spurious 0, or a session that just began).
    - UNKNOWN: the first reading above 0 decides (`classify_register`).
    - SESSION is revised to LIFETIME when the register is at or above `meterStart` and more
      than the charger could have delivered since the start (50 kW plus 1 kWh of slack).
    - LIFETIME stays: a lower register later is a dropout, not a session-relative meter.
    """
    if register_wh <= _REGISTER_SLACK_WH:
        return mode
    if mode is EnergyRegisterMode.UNKNOWN:
        return classify_register(meter_start_wh, register_wh)
    if mode is EnergyRegisterMode.SESSION and register_wh + _REGISTER_SLACK_WH >= meter_start_wh:
        elapsed_s = max(0.0, (observed_at - started_at).total_seconds())
        if register_wh > _MAX_POWER_W * elapsed_s / 3600 + _PLAUSIBILITY_SLACK_WH:
            return EnergyRegisterMode.LIFETIME
    return mode


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


# OCPP 1.6 ChargePointStatus (2.0.1 states arrive in the same words) -> chargebook's state.
_STATES = {
    "Available": ChargerState.READY,
    "Preparing": ChargerState.WAITING,
    "Charging": ChargerState.CHARGING,
    "SuspendedEV": ChargerState.WAITING,
    "SuspendedEVSE": ChargerState.PAUSED,
    "Finishing": ChargerState.WAITING,
    "Reserved": ChargerState.READY,
    "Faulted": ChargerState.ERROR,
}


def charger_state_of(status: str | None) -> ChargerState:
    """The state a connector's StatusNotification status means; UNKNOWN when unknown or
    missing (the one answer for the control port's live reading and the state-change
    events)."""
    return _STATES.get(status or "", ChargerState.UNKNOWN)
