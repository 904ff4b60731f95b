"""The charger's payloads, read into typed values (units in the names; the REST API's
registers are Wh and currents mA, reference §7.1 and HA's sensor units).

Every reader raises `ApiPayloadError` naming the field when a payload is not what the real
charger sends; optional fields the charger leaves out (single-phase meters omit phases 2 and
3, python-peblar `PeblarMeter`) read as None.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chargebook.errors import ApiPayloadError

BRAND = "Peblar"


def payload_error(message: str) -> ApiPayloadError:
    return ApiPayloadError(f"The Peblar charger sent an unexpected answer: {message}", brand=BRAND)


def as_object(payload: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        raise payload_error(f"{what}: expected an object, got {type(payload).__name__}")
    return payload


def _int(data: Mapping[str, Any], key: str, *, optional: bool = False) -> int | None:
    value = data.get(key)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise payload_error(f"{key}: expected an integer, got {value!r}")
    return value


def _req_int(data: Mapping[str, Any], key: str) -> int:
    value = _int(data, key)
    assert value is not None
    return value


def _str(data: Mapping[str, Any], key: str, *, optional: bool = False) -> str | None:
    value = data.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise payload_error(f"{key}: expected text, got {value!r}")
    return value


def _bool(data: Mapping[str, Any], key: str, *, optional: bool = False) -> bool | None:
    value = data.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, bool):
        raise payload_error(f"{key}: expected true or false, got {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class RestSystem:
    """`GET /api/wlac/v1/system`."""

    serial: str
    part_number: str
    firmware: str
    phase_count: int
    uptime_s: int
    error_codes: tuple[int, ...]
    force_1phase_allowed: bool | None


def read_rest_system(payload: Any) -> RestSystem:
    data = as_object(payload, "system")
    errors = data.get("ActiveErrorCodes") or []
    if not isinstance(errors, list) or not all(isinstance(c, int) for c in errors):
        raise payload_error(f"ActiveErrorCodes: expected a list of codes, got {errors!r}")
    return RestSystem(
        serial=_str(data, "ProductSn") or "",
        part_number=_str(data, "ProductPn") or "",
        firmware=_str(data, "FirmwareVersion") or "",
        phase_count=_req_int(data, "PhaseCount"),
        uptime_s=_req_int(data, "Uptime"),
        error_codes=tuple(errors),
        force_1phase_allowed=_bool(data, "Force1PhaseAllowed", optional=True),
    )


@dataclass(frozen=True, slots=True)
class Meter:
    """`GET /api/wlac/v1/meter`: power W, currents mA, registers Wh."""

    power_total_w: int
    energy_session_wh: int
    energy_total_wh: int
    currents_ma: tuple[int | None, int | None, int | None]
    voltages_v: tuple[int | None, int | None, int | None]


def read_meter(payload: Any) -> Meter:
    data = as_object(payload, "meter")
    return Meter(
        power_total_w=_req_int(data, "PowerTotal"),
        energy_session_wh=_req_int(data, "EnergySession"),
        energy_total_wh=_req_int(data, "EnergyTotal"),
        currents_ma=(
            _req_int(data, "CurrentPhase1"),
            _int(data, "CurrentPhase2", optional=True),
            _int(data, "CurrentPhase3", optional=True),
        ),
        voltages_v=(
            _int(data, "VoltagePhase1", optional=True),
            _int(data, "VoltagePhase2", optional=True),
            _int(data, "VoltagePhase3", optional=True),
        ),
    )


@dataclass(frozen=True, slots=True)
class EvInterface:
    """`GET /api/wlac/v1/evinterface`: limits in mA, the IEC 61851 control pilot state."""

    cp_state: str
    limit_ma: int
    limit_actual_ma: int
    limit_source: str | None
    force_1phase: bool


def read_ev_interface(payload: Any) -> EvInterface:
    data = as_object(payload, "evinterface")
    return EvInterface(
        cp_state=_str(data, "CpState") or "",
        limit_ma=_req_int(data, "ChargeCurrentLimit"),
        limit_actual_ma=_req_int(data, "ChargeCurrentLimitActual"),
        limit_source=_str(data, "ChargeCurrentLimitSource", optional=True),
        force_1phase=bool(_bool(data, "Force1Phase")),
    )


@dataclass(frozen=True, slots=True)
class SystemInformation:
    """`GET /api/v1/system/info` (web API): what the hardware has."""

    serial: str
    part_number: str
    model_name: str
    vendor: str
    hostname: str | None
    firmware: str | None
    max_current_a: int
    phases: int
    has_meter: bool
    has_meter_display: bool | None
    eichrecht_marking: bool | None
    meter_firmware: str | None


def read_system_information(payload: Any) -> SystemInformation:
    data = as_object(payload, "system/info")
    return SystemInformation(
        serial=_str(data, "ProductSn") or "",
        part_number=_str(data, "ProductPn") or "",
        model_name=_str(data, "ProductModelName") or "",
        vendor=_str(data, "ProductVendorName") or "",
        hostname=_str(data, "Hostname", optional=True),
        firmware=_str(data, "FwIdent", optional=True),
        max_current_a=_req_int(data, "HwMaxCurrent"),
        phases=_req_int(data, "HwOneOrThreePhase"),
        has_meter=bool(_bool(data, "HwHasMeter")),
        has_meter_display=_bool(data, "HwHasMeterDisplay", optional=True),
        eichrecht_marking=_bool(data, "HwHasEichrechtLaserMarking", optional=True),
        meter_firmware=_str(data, "MeterFwIdent", optional=True),
    )


def read_health(payload: Any) -> str:
    """`GET /api/wlac/v1/health`: the REST API's access mode, "ReadWrite" or "ReadOnly"."""
    mode = _str(as_object(payload, "health"), "AccessMode")
    assert mode is not None
    return mode


def read_api_token(payload: Any) -> str:
    token = _str(as_object(payload, "config/api-token"), "ApiToken")
    assert token is not None
    if not token:
        raise payload_error("ApiToken: empty")
    return token


def read_time_zone(payload: Any) -> str | None:
    """`TimeZone` of `GET /api/v1/config/user`."""
    return _str(as_object(payload, "config/user"), "TimeZone", optional=True)
