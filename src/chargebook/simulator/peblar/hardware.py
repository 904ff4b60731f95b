"""What the simulated charger says about itself: `system/info` (web API), `system` (REST API)
and the user configuration, per variant (config.VARIANTS).

Field names and value shapes are the real charger's (python-peblar's models and the recorded
payloads in its tests/fixtures and HA core's tests/components/peblar/fixtures); the values are
the simulator's own, derived from the seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from chargebook.simulator.peblar.config import PeblarSimConfig


@dataclass(frozen=True, slots=True)
class Hardware:
    """The charger's fixed facts."""

    serial: str
    part_number: str
    model_name: str
    vendor: str
    phases: int
    max_current_a: int
    has_meter: bool
    eichrecht: bool
    hostname: str

    @property
    def max_power_w(self) -> int:
        return self.max_current_a * 230 * self.phases


def build_hardware(config: PeblarSimConfig) -> Hardware:
    rng = random.Random(f"peblar-hw:{config.seed}")
    serial = f"{rng.randrange(10, 99)}-{rng.randrange(10, 99)}-A{rng.randrange(100, 999)}-SIM"
    variant = config.variant
    one_phase = variant == "home_1p"
    return Hardware(
        serial=serial,
        part_number="6004-2200-7600" if variant == "business_eichrecht" else "6004-2100-7600",
        model_name="WLAC2-B22R0WE0ICR00"
        if variant == "business_eichrecht"
        else "WLAC1-H11R0WE0ICR00",
        vendor="ChargeCo" if variant == "whitelabel" else "Peblar",
        phases=1 if one_phase else 3,
        max_current_a=32 if variant == "business_eichrecht" else 16,
        has_meter=True,
        eichrecht=variant == "business_eichrecht",
        hostname=f"PBLR-{rng.randrange(1000000, 9999999)}",
    )


def system_information(hw: Hardware, firmware: str) -> dict[str, Any]:
    """`GET /api/v1/system/info` (python-peblar `PeblarSystemInformation`)."""
    cal = 250000
    return {
        "BopCalIGainA": cal,
        "BopCalIGainB": cal,
        "BopCalIGainC": cal,
        "CanChangeChargingPhases": hw.phases == 3,
        "CanChargeSinglePhase": True,
        "CanChargeThreePhases": hw.phases == 3,
        "CustomerId": hw.hostname,
        "EthMacAddr": "02:00:00:00:00:01",
        "FwIdent": firmware,
        "Hostname": hw.hostname,
        "HwFixedCableRating": 20,
        "HwFwCompat": "wlac-2",
        "HwHas4pRelay": False,
        "HwHasBop": True,
        "HwHasBuzzer": True,
        "HwHasDualSocket": False,
        "HwHasEichrechtLaserMarking": hw.eichrecht,
        "HwHasEthernet": True,
        "HwHasLed": True,
        "HwHasLte": False,
        "HwHasMeter": hw.has_meter,
        "HwHasMeterDisplay": hw.has_meter,
        "HwHasPlc": False,
        "HwHasRfid": True,
        "HwHasRs485": True,
        "HwHasShutter": False,
        "HwHasSocket": False,
        "HwHasTpm": False,
        "HwHasWlan": True,
        "HwMaxCurrent": hw.max_current_a,
        "HwOneOrThreePhase": hw.phases,
        "HwUKCompliant": False,
        "MainboardPn": hw.part_number,
        "MainboardSn": hw.serial,
        "MeterCalIGainA": cal,
        "MeterCalIGainB": cal,
        "MeterCalIGainC": cal,
        "MeterCalIRmsOffsetA": 0,
        "MeterCalIRmsOffsetB": 0,
        "MeterCalIRmsOffsetC": 0,
        "MeterCalPhaseA": 250,
        "MeterCalPhaseB": 250,
        "MeterCalPhaseC": 250,
        "MeterCalVGainA": cal,
        "MeterCalVGainB": cal,
        "MeterCalVGainC": cal,
        "MeterFwIdent": "3d8966",
        "NorFlash": True,
        "ProductModelName": hw.model_name,
        "ProductPn": hw.part_number,
        "ProductSn": hw.serial,
        "ProductVendorName": hw.vendor,
        "WlanApMacAddr": "02:00:00:00:00:02",
        "WlanStaMacAddr": "02:00:00:00:00:03",
    }


def rest_system(hw: Hardware, firmware: str, uptime_s: int) -> dict[str, Any]:
    """`GET /api/wlac/v1/system` (the documented REST API)."""
    return {
        "ActiveErrorCodes": [],
        "ActiveWarningCodes": [],
        "CellularSignalStrength": None,
        "FirmwareVersion": firmware,
        "Force1PhaseAllowed": hw.phases == 3,
        "PhaseCount": hw.phases,
        "ProductPn": hw.part_number,
        "ProductSn": hw.serial,
        "Uptime": uptime_s,
        "WlanSignalStrength": None,
    }


def default_user_configuration(hw: Hardware, config: PeblarSimConfig) -> dict[str, Any]:
    """`GET /api/v1/config/user` as a charger fresh from its installer leaves it."""
    return {
        "BopFallbackCurrent": 6000,
        "BopHomeWizardAddress": "",
        "BopSource": "notselected",
        "BopSourceParameters": "{}",
        "ConnectHubVisibility": True,
        "ConnectedPhases": hw.phases,
        "CurrentCtrlBopCtType": "CTK05-14",
        "CurrentCtrlBopEnable": False,
        "CurrentCtrlBopFuseRating": 25,
        "CurrentCtrlFixedChargeCurrentLimit": hw.max_current_a,
        "CustomCustomerId": "",
        "GroundMonitoring": True,
        "GroupLoadBalancingEnable": False,
        "GroupLoadBalancingFallbackCurrent": 6,
        "GroupLoadBalancingGroupId": 1,
        "GroupLoadBalancingInterface": "RS485",
        "GroupLoadBalancingMaxCurrent": 0,
        "GroupLoadBalancingRole": "Follower",
        "HmiBuzzerVolume": 1,
        "HmiLedIntensityManual": 22,
        "HmiLedIntensityMax": 100,
        "HmiLedIntensityMin": 1,
        "HmiLedIntensityMode": "Auto",
        "Iso15118CommunicationEnable": False,
        "LocalRestApiAccessMode": "ReadWrite",
        "LocalRestApiAllowed": True,
        "LocalRestApiEnable": config.rest_api_enabled,
        "LocalSmartChargingAllowed": True,
        "ModbusServerAccessMode": "ReadOnly",
        "ModbusServerAllowed": True,
        "ModbusServerEnable": False,
        "PhaseRotation": "RST",
        "PowerLimitInputDi1Inverse": False,
        "PowerLimitInputDi1Limit": 0,
        "PowerLimitInputDi2Inverse": False,
        "PowerLimitInputDi2Limit": 6,
        "PowerLimitInputEnable": False,
        "PredefinedCpoName": "",
        "SboAllowed": True,
        "SboEnabled": "Enabled",
        "ScheduledChargingAllowed": True,
        "ScheduledChargingEnable": False,
        "SeccOcppActive": False,
        "SeccOcppUri": "",
        "SessionDownloadAllowed": True,
        "SessionManagerChargeWithoutAuth": True,
        "SolarChargingAllowed": True,
        "SolarChargingEnable": False,
        "SolarChargingMode": "MaxSolar",
        "SolarChargingSource": "notselected",
        "SolarChargingSourceParameters": "{}",
        "TimeZone": "Europe/Amsterdam",
        "UserDefinedChargeLimitCurrent": hw.max_current_a,
        "UserDefinedChargeLimitCurrentAllowed": True,
        "UserDefinedHouseholdPowerLimit": 17500,
        "UserDefinedHouseholdPowerLimitAllowed": True,
        "UserDefinedHouseholdPowerLimitEnable": False,
        "UserDefinedHouseholdPowerLimitSource": "notselected",
        "UserDefinedHouseholdPowerLimitSourceParameters": "{}",
        "UserKeepSocketLocked": False,
        "VDEPhaseImbalanceEnable": False,
        "VDEPhaseImbalanceLimit": 12,
        "WebIfUpdateHelper": True,
    }
