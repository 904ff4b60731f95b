"""The book's vocabulary. Units are in the names; datetimes are UTC-aware; energy and money are
Decimal (exact: the book is evidence), instantaneous power is float."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any


class ChargerSource(StrEnum):
    """Where a charger's data comes from."""

    WALLBOX_CLOUD = "wallbox_cloud"
    OCPP = "ocpp"
    # Issue 19: the brands beside the Wallbox, each through its `domain.brands.BrandConnector`.
    EASEE_CLOUD = "easee_cloud"
    ZAPTEC_CLOUD = "zaptec_cloud"
    PEBLAR_LOCAL = "peblar_local"


class ChargerState(StrEnum):
    """What a charger is doing, normalised across sources."""

    DISCONNECTED = "disconnected"  # offline from the cloud / central system
    READY = "ready"  # online, no car
    WAITING = "waiting"  # car connected, not (yet) drawing power
    SCHEDULED = "scheduled"
    CHARGING = "charging"
    DISCHARGING = "discharging"
    PAUSED = "paused"
    LOCKED = "locked"
    LOCKED_CAR_CONNECTED = "locked_car_connected"
    UPDATING = "updating"
    ERROR = "error"
    UNKNOWN = "unknown"


class EcoSmartMode(StrEnum):
    """Wallbox Eco-Smart solar modes."""

    OFF = "off"
    ECO = "eco"  # solar plus grid
    FULL_SOLAR = "full_solar"


@dataclass(frozen=True, slots=True)
class MidMeter:
    """What the source says about a MID-certified meter in the charger."""

    enabled: bool
    serial_number: str | None = None
    status: int | None = None

    @property
    def present(self) -> bool:
        """Enabled and identified by a serial: the minimum to count as a MID meter."""
        return self.enabled and bool(self.serial_number)


@dataclass(frozen=True, slots=True)
class EcoSmart:
    enabled: bool
    mode: EcoSmartMode
    percentage: int | None = None


@dataclass(frozen=True, slots=True)
class Charger:
    """A charger as its source describes it (static facts, not live state)."""

    source: ChargerSource
    external_id: str
    name: str
    serial_number: str | None
    part_number: str | None
    model: str
    firmware_version: str | None
    max_current_a: int | None
    time_zone: str | None
    mid: MidMeter
    group_name: str | None = None


@dataclass(frozen=True, slots=True)
class ChargerStatus:
    """A live snapshot of one charger, as observed at `observed_at`."""

    charger_external_id: str
    observed_at: datetime
    state: ChargerState
    # None = the source did not say (a field missing or null in its reply): shown as unknown.
    status_code: int | None
    car_connected: bool
    charging_power_kw: float | None
    session_energy_kwh: float | None
    session_duration_s: int | None
    discharged_energy_kwh: float
    locked: bool | None
    max_charging_current_a: int | None
    max_available_current_a: int | None
    icp_max_current_a: int | None
    energy_price_per_kwh: Decimal | None
    currency: str | None
    firmware_version: str | None
    firmware_update_available: bool
    eco_smart: EcoSmart | None
    mid: MidMeter
    part_number: str | None = None
    time_zone: str | None = None
    operation_mode: str | None = None
    reported_at: datetime | None = None  # when the charger last synced with its source


@dataclass(frozen=True, slots=True)
class ChargingSession:
    """One finished charging session; half-open interval [started_at, ended_at)."""

    source: ChargerSource
    external_id: str
    charger_external_id: str
    started_at: datetime
    ended_at: datetime
    energy_kwh: Decimal
    mid_energy_kwh: Decimal | None
    discharged_energy_kwh: Decimal
    duration_s: int | None = None
    cost: Decimal | None = None
    currency: str | None = None
    meter_start_wh: int | None = None
    meter_stop_wh: int | None = None


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One session item exactly as the source delivered it, parsed where possible.

    The raw payload is kept even when parsing failed: a bad record is quarantined with
    `problem` as its reason, never dropped.
    """

    source: ChargerSource
    charger_external_id: str
    external_id: str | None
    raw: Mapping[str, Any]
    session: ChargingSession | None
    problem: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ChargerTotals:
    """Aggregates the source keeps for a charger (Wallbox `resume`: finished days only)."""

    # None = not reported (Wallbox resets `resume` at the start of a month to nulls).
    total_sessions: int | None
    total_energy_kwh: Decimal | None
    total_mid_energy_kwh: Decimal | None
    charging_time_s: int | None
    total_users: int | None


@dataclass(frozen=True, slots=True)
class ChargerSummary:
    """A charger's static facts plus its last reported state and totals."""

    charger: Charger
    status_code: int | None
    state: ChargerState
    locked: bool | None
    max_charging_current_a: int | None
    max_available_current_a: int | None
    totals: ChargerTotals | None
    last_connection_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ChargerConfig:
    """A charger's configuration as the cloud reports it after a read or a change."""

    charger_external_id: str
    energy_price_per_kwh: Decimal | None
    currency: str | None
    icp_max_current_a: int | None
    max_charging_current_a: int | None
    locked: bool | None
    time_zone: str | None
    firmware_version: str | None
    firmware_update_available: bool


@dataclass(frozen=True, slots=True)
class ChargeSchedule:
    """One positional schedule slot; times are local "HHMM" strings in the charger's zone."""

    slot: int
    enabled: bool
    start_local: str
    stop_local: str
    days: frozenset[str]  # lower-case English weekday names, e.g. "monday"
    max_current: int = 0  # wire values kept as-is: their unit is undocumented
    max_energy: int = 0


@dataclass(frozen=True, slots=True)
class ChargerReading:
    """A charger's state as an account-wide listing shows it: every charger in one read.

    Cheaper than a status read per charger but thinner: power and energy may be missing
    (None: unknown), and a charging charger is better read through its own status.
    """

    charger: Charger
    observed_at: datetime
    state: ChargerState
    status_code: int
    charging_power_kw: float | None = None
    session_energy_kwh: float | None = None
    reported_at: datetime | None = None  # when the charger last synced with its source
