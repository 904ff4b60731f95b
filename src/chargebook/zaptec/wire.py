"""Zaptec's payloads, read strictly where the whole answer depends on it (envelopes) and
forgivingly per item. Field names are Zaptec's PascalCase (reference §3.2–§3.4).

- `chargers` / `chargehistory`: `{"Pages": n, "Data": [...]}` (`Pages` = pages in total).
- `chargers/{id}/state`: a list of `{ChargerId, StateId, Timestamp, ValueAsString}`, some
  without `ValueAsString`.
- `chargerFirmware/installation/{id}`: a list of `{ChargerId, CurrentVersion, IsUpToDate...}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chargebook.domain.models import Charger, ChargerSource, MidMeter
from chargebook.errors import ApiPayloadError
from chargebook.zaptec._http import BRAND
from chargebook.zaptec.ocmf import OcmfError, parse_ocmf
from chargebook.zaptec.times import parse_utc

# Serial (DeviceId) prefix -> model: docs.zaptec.com "identify device types", as copied in
# Home Assistant's zaptec `zconst.py` (reference §3.3).
MODELS_BY_PREFIX = {
    **dict.fromkeys(("ZCS", "ZPR", "ZCH", "ZPG"), "Zaptec Pro"),
    **dict.fromkeys(("ZAP", "ZGB", "ZAG"), "Zaptec Go"),
    **dict.fromkeys(("GPN", "GPG"), "Zaptec Go 2"),
    **dict.fromkeys(("APH", "APG", "APM"), "Zaptec Sense"),
}
MODELS_BY_DEVICE_TYPE = {1: "Zaptec Pro", 4: "Zaptec Go"}
MID_CAPABLE_MODELS = frozenset({"Zaptec Pro", "Zaptec Go", "Zaptec Go 2"})

# Observation ids (constants `Observations`, reference §3.4).
IS_ONLINE = -2
CHARGER_MAX_CURRENT = 510
TOTAL_CHARGE_POWER_W = 513
SESSION_ENERGY_KWH = 553
SIGNED_METER_VALUE = 554
CHARGE_CURRENT_SET = 708
OPERATION_MODE = 710
FINAL_STOP_ACTIVE = 718
# MIDLegallyRelevantSoftwareIdentifier, MIDCalibration, MIDPublicKey, MIDCalibrationID.
MID_OBSERVATIONS = (914, 980, 981, 982)


def paged(payload: Any, what: str) -> tuple[int, list[Any]]:
    """`(Pages, Data)` of a paged answer.

    Raises:
        ApiPayloadError: not `{"Pages": int, "Data": [...]}`.
    """
    if not isinstance(payload, Mapping):
        raise ApiPayloadError(f"Zaptec's {what} is not an object", brand=BRAND)
    pages, data = payload.get("Pages"), payload.get("Data")
    if isinstance(pages, bool) or not isinstance(pages, int) or pages < 0:
        raise ApiPayloadError(f"Zaptec's {what} has no page count (Pages)", brand=BRAND)
    if not isinstance(data, list):
        raise ApiPayloadError(f"Zaptec's {what} has no Data list", brand=BRAND)
    return pages, data


@dataclass(frozen=True, slots=True)
class Observation:
    value: str | None
    at: datetime | None


def observations(payload: Any) -> dict[int, Observation]:
    """A charger's state list by StateId (entries without an id are skipped).

    Raises:
        ApiPayloadError: the answer is not a list.
    """
    if payload is None:
        return {}
    if not isinstance(payload, list):
        raise ApiPayloadError("Zaptec's charger state is not a list", brand=BRAND)
    found: dict[int, Observation] = {}
    for entry in payload:
        if not isinstance(entry, Mapping):
            continue
        state_id = entry.get("StateId")
        if isinstance(state_id, bool) or not isinstance(state_id, int):
            continue
        value = entry.get("ValueAsString")
        stamp = entry.get("Timestamp")
        try:
            at = parse_utc(stamp) if isinstance(stamp, str) else None
        except ValueError:
            at = None
        found[state_id] = Observation(value if isinstance(value, str) else None, at)
    return found


def number(state: Mapping[int, Observation], state_id: int) -> float | None:
    """An observation as a finite float, or None when absent or unreadable."""
    entry = state.get(state_id)
    if entry is None or entry.value is None:
        return None
    try:
        value = float(entry.value)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def model_of(serial: str | None, device_type: Any) -> str:
    if serial and serial[:3].upper() in MODELS_BY_PREFIX:
        return MODELS_BY_PREFIX[serial[:3].upper()]
    if isinstance(device_type, int) and not isinstance(device_type, bool):
        return MODELS_BY_DEVICE_TYPE.get(device_type, "Zaptec")
    return "Zaptec"


def mid_evidence(model: str, serial: str | None, state: Mapping[int, Observation]) -> MidMeter:
    """Proven (enabled, with the meter's serial) only when a Go, Go 2 or Pro shows MID
    observations or a signed meter value that reads as OCMF; otherwise not proven
    (`enabled=False`): the book shows it as unknown, never as qualifying."""
    if model not in MID_CAPABLE_MODELS:
        return MidMeter(enabled=False)
    proven = any(state.get(i) and state[i].value for i in MID_OBSERVATIONS)
    signed = state.get(SIGNED_METER_VALUE)
    meter_serial = serial
    if signed is not None and signed.value:
        try:
            record = parse_ocmf(signed.value)
        except OcmfError:
            record = None
        if record is not None and record.readings:
            proven = True
            meter_serial = record.gateway_serial or serial
    if not proven or not meter_serial:
        return MidMeter(enabled=False)
    return MidMeter(enabled=True, serial_number=meter_serial)


def charger_from(
    item: Mapping[str, Any],
    state: Mapping[int, Observation],
    firmware: Mapping[str, str],
) -> Charger:
    """One `chargers` item (with its live state and the installation's firmware list).

    Raises:
        ApiPayloadError: the item has no Id.
    """
    charger_id = item.get("Id")
    if not isinstance(charger_id, str) or not charger_id:
        raise ApiPayloadError("a Zaptec charger has no Id", brand=BRAND)
    serial = item.get("DeviceId") if isinstance(item.get("DeviceId"), str) else None
    model = model_of(serial, item.get("DeviceType"))
    name = item.get("Name")
    max_current = number(state, CHARGER_MAX_CURRENT)
    installation = item.get("InstallationName")
    return Charger(
        source=ChargerSource.ZAPTEC_CLOUD,
        external_id=charger_id,
        name=name if isinstance(name, str) and name else (serial or charger_id),
        serial_number=serial,
        part_number=None,
        model=model,
        firmware_version=firmware.get(charger_id),
        max_current_a=round(max_current) if max_current and max_current > 0 else None,
        time_zone=None,
        mid=mid_evidence(model, serial, state),
        group_name=installation if isinstance(installation, str) else None,
    )


def firmware_versions(payload: Any) -> dict[str, str]:
    """Charger id -> `CurrentVersion` from `chargerFirmware/installation/{id}`."""
    versions: dict[str, str] = {}
    if not isinstance(payload, list):
        return versions
    for entry in payload:
        if isinstance(entry, Mapping):
            cid, version = entry.get("ChargerId"), entry.get("CurrentVersion")
            if isinstance(cid, str) and isinstance(version, str):
                versions[cid] = version
    return versions
