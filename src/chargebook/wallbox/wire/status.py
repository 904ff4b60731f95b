"""Live status (`chargers/status/{id}`, snake_case) and configuration (`chargers/config/{id}`)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from chargebook.domain.models import (
    ChargerConfig,
    ChargerState,
    ChargerStatus,
    EcoSmart,
    EcoSmartMode,
    MidMeter,
)
from chargebook.wallbox.states import car_connected, state_for
from chargebook.wallbox.wire.chargers import Software
from chargebook.wallbox.wire.common import WireModel, parse_naive_utc, to_decimal


class _Currency(WireModel):
    code: str | None = None


class _EnergyCost(WireModel):
    value: float | None = None


class _EcoSmart(WireModel):
    enabled: bool | None = False
    mode: int | None = None
    percentage: int | None = None

    def to_domain(self) -> EcoSmart | None:
        # Home Assistant's reading: no mode = feature absent, disabled = off, 0 eco, 1 full solar.
        if self.mode is None:
            return None
        if not self.enabled:
            return EcoSmart(enabled=False, mode=EcoSmartMode.OFF, percentage=self.percentage)
        mode = EcoSmartMode.FULL_SOLAR if self.mode == 1 else EcoSmartMode.ECO
        return EcoSmart(enabled=True, mode=mode, percentage=self.percentage)


class ConfigData(WireModel):
    """The flat config object: `config_data` in status, the whole body of chargers/config."""

    charger_id: int | None = None
    serial_number: str | None = None
    locked: bool | None = None
    max_charging_current: int | None = None
    max_available_current: int | None = None
    icp_max_current: int | None = None  # Power Boost grid limit in A; null on some chargers
    energy_price: float | None = None
    energy_cost: _EnergyCost | None = Field(None, alias="energyCost")
    currency: _Currency | None = None
    timezone: str | None = None
    part_number: str | None = None
    software: Software | None = None
    operation_mode: str | None = None
    mid_enabled: bool | None = False
    mid_serial_number: str | None = None
    mid_status: int | None = None
    ecosmart: _EcoSmart | None = None

    def price(self) -> float | None:
        if self.energy_price is not None:
            return self.energy_price
        return self.energy_cost.value if self.energy_cost else None

    def mid(self) -> MidMeter:
        return MidMeter(
            enabled=bool(self.mid_enabled),
            serial_number=self.mid_serial_number or None,
            status=self.mid_status,
        )

    def to_domain(self, charger_id: str) -> ChargerConfig:
        """The configuration with the price as an exact Decimal per kWh."""
        return ChargerConfig(
            charger_external_id=charger_id,
            energy_price_per_kwh=to_decimal(self.price()),
            currency=self.currency.code if self.currency else None,
            icp_max_current_a=self.icp_max_current,
            max_charging_current_a=self.max_charging_current,
            locked=self.locked,
            time_zone=self.timezone,
            firmware_version=self.software.current_version if self.software else None,
            firmware_update_available=bool(self.software and self.software.update_available),
        )


class ConfigResponse(ConfigData):
    """`GET|POST chargers/config/{id}`: the flat config (every field may be missing: the
    value it carries is then unknown)."""


class StatusResponse(WireModel):
    """`GET chargers/status/{id}`; only the fields chargebook uses are declared.

    Tolerant on purpose: real replies come without `charging_time` (Home Assistant's fixtures)
    or with nulls, and a missing or null value only makes that value unknown (None); the
    charger stays readable. A value of the wrong type is still an error.
    """

    status_id: int | None = None
    charging_power: float | None = None  # kW
    added_energy: float | None = None  # kWh, current or last session
    charging_time: int | None = None  # s
    added_discharged_energy: float | None = None  # kWh (Quasar only)
    max_available_power: int | None = None  # A, despite the name
    last_sync: str | None = None  # naive, UTC
    config_data: ConfigData = Field(default_factory=ConfigData)

    def to_domain(self, charger_id: str, observed_at: datetime) -> ChargerStatus:
        """The snapshot in kW, kWh, A and seconds; None where the reply did not say."""
        config = self.config_data
        code = self.status_id
        return ChargerStatus(
            charger_external_id=charger_id,
            observed_at=observed_at,
            state=state_for(code) if code is not None else ChargerState.UNKNOWN,
            status_code=code,
            car_connected=car_connected(code),
            charging_power_kw=self.charging_power,
            session_energy_kwh=self.added_energy,
            session_duration_s=self.charging_time,
            # Only a Quasar discharges; a reply without the field has nothing discharged.
            discharged_energy_kwh=self.added_discharged_energy or 0.0,
            locked=config.locked,
            max_charging_current_a=config.max_charging_current,
            max_available_current_a=config.max_available_current or self.max_available_power,
            icp_max_current_a=config.icp_max_current,
            energy_price_per_kwh=to_decimal(config.price()),
            currency=config.currency.code if config.currency else None,
            firmware_version=config.software.current_version if config.software else None,
            firmware_update_available=bool(config.software and config.software.update_available),
            eco_smart=config.ecosmart.to_domain() if config.ecosmart else None,
            mid=config.mid(),
            part_number=config.part_number,
            time_zone=config.timezone,
            operation_mode=config.operation_mode,
            reported_at=parse_naive_utc(self.last_sync),
        )
