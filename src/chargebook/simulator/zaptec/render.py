"""Payloads in the shapes the real API sends (PascalCase, naive UTC .NET times), as recorded
in public sources (reference §3.2–§3.6; tests/zaptec/zaptec_recorded.py keeps the recordings)."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from chargebook.simulator.zaptec.fleet import SimCharger
from chargebook.simulator.zaptec.sessions import PlannedSession


def net_time(moment: datetime) -> str:
    """`2025-06-07T08:19:58.73`: naive UTC, milliseconds without trailing zeros (.NET)."""
    text = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    return text.rstrip("0").rstrip(".")


def offset_time(moment: datetime) -> str:
    """`2025-06-07T09:30:01.007+00:00` (EnergyDetails)."""
    return net_time(moment) + "+00:00"


def ocmf_time(moment: datetime) -> str:
    """`2025-06-07T09:20:55,943+00:00 R` (OCMF `TM`)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S,%f")[:-3] + "+00:00 R"


def charger_item(charger: SimCharger, roles: int, online: bool, mode: int) -> dict[str, Any]:
    """One `chargers` item (stekker/zaptec spec `chargers_example`; `SerialNo` is the owner's
    label, `DeviceId` the serial; the PIN is left out)."""
    return {
        "OperatingMode": mode,
        "IsOnline": online,
        "Id": charger.id,
        "MID": charger.serial,
        "DeviceId": charger.serial,
        "SerialNo": charger.installation_name,
        "Name": charger.name,
        "CreatedOnDate": charger.created,
        "CircuitId": charger.circuit_id,
        "Active": True,
        "CurrentUserRoles": roles,
        "DeviceType": charger.device_type,
        "InstallationName": charger.installation_name,
        "InstallationId": charger.installation_id,
        "AuthenticationType": 0,
        "IsAuthorizationRequired": False,
    }


def ocmf(
    charger: SimCharger, readings: Sequence[tuple[datetime, str | None, float]], pg: str
) -> str:
    """An OCMF string as a Go (the HA test string: `RU`/`RT` on every reading, no signature
    part) or a Pro (stelund/charging-costs: `RU` on the first reading only, `MF`, `IS`
    and an ECDSA signature part) writes it. The signature here is a stand-in, not valid."""
    pro = charger.model == "Zaptec Pro"
    rd: list[dict[str, Any]] = []
    for index, (moment, tx, value) in enumerate(readings):
        reading: dict[str, Any] = {"TM": ocmf_time(moment)}
        if tx is not None:
            reading["TX"] = tx
        reading["RV"] = value
        reading["RI"] = "1-0:1.8.0"
        if not pro or index == 0:
            reading["RU"] = "kWh"
        if not pro:
            reading["RT"] = "AC"
        reading["ST"] = "G"
        rd.append(reading)
    payload: dict[str, Any] = {"FV": "1.0", "GI": charger.gateway_id, "GS": charger.serial}
    payload["GV"] = charger.firmware
    payload["PG"] = pg
    if pro:
        payload.update({"MF": "v1.3.6", "IS": False})
    payload["RD"] = rd
    text = "OCMF|" + json.dumps(payload, separators=(",", ":"))
    if not pro:
        return text
    digest = hashlib.sha384(text.encode()).digest()
    signature = {"SA": "ECDSA-secp384r1-SHA256", "SE": "base64"}
    signature["SD"] = base64.b64encode(b"0e\x02" + digest).decode()
    return text + "|" + json.dumps(signature, separators=(",", ":"))


def session_readings(session: PlannedSession) -> list[tuple[datetime, str | None, float]]:
    """B at the start, T at every full hour while connected, E at the end."""
    readings: list[tuple[datetime, str | None, float]] = [
        (session.start, "B", session.register_start_kwh)
    ]
    hour = session.start.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    while hour < session.end:
        readings.append((hour, "T", session.register_at(hour)))
        hour += timedelta(hours=1)
    if session.variant != "ocmf_no_end":
        readings.append((session.end, "E", session.register_at(session.end)))
    return readings


def energy_details(session: PlannedSession) -> list[dict[str, Any]]:
    """Energy per quarter hour (kWh), from 0.0 at the start to 0.0 at the end."""
    details = [{"Timestamp": offset_time(session.start), "Energy": 0.0}]
    previous = session.register_start_kwh
    quarter = session.start.replace(minute=session.start.minute // 15 * 15, second=0)
    quarter = quarter.replace(microsecond=0) + timedelta(minutes=15)
    while quarter < session.charging_end:
        now = session.register_at(quarter)
        details.append({"Timestamp": offset_time(quarter), "Energy": round(now - previous, 3)})
        previous = now
        quarter += timedelta(minutes=15)
    last = session.register_at(session.charging_end)
    if last > previous:
        details.append(
            {"Timestamp": offset_time(session.charging_end), "Energy": round(last - previous, 3)}
        )
    details.append({"Timestamp": offset_time(session.end), "Energy": 0.0})
    return details


def history_item(charger: SimCharger, session: PlannedSession, detail: bool) -> dict[str, Any]:
    """One `chargehistory` item (key order of the stelund/charging-costs recording)."""
    start, end = session.start, session.end
    energy: Any = session.energy_kwh
    if session.bad_kind == "negative_energy":
        energy = -session.energy_kwh
    elif session.bad_kind == "end_before_start":
        start, end = end, start
    elif session.bad_kind == "energy_not_a_number":
        energy = "NaN"
    item: dict[str, Any] = {
        "Id": session.id,
        "DeviceId": charger.serial,
        "StartDateTime": net_time(start),
        "EndDateTime": net_time(end),
        "Energy": energy,
        "CommitMetadata": 21,
        "CommitEndDateTime": net_time(end),
        "ChargerId": charger.id,
        "DeviceName": charger.name,
        "ExternallyEnded": True,
    }
    if detail:
        item["EnergyDetails"] = energy_details(session)
    if session.variant == "signed_absent":
        return item
    major, minor, build, revision = (int(p) for p in charger.firmware.split("."))
    item["ChargerFirmwareVersion"] = {
        "Major": major,
        "Minor": minor,
        "Build": build,
        "Revision": revision,
        "MajorRevision": 0,
        "MinorRevision": revision,
    }
    if session.variant == "signed_null":
        item["SignedSession"] = None
    else:
        item["SignedSession"] = ocmf(charger, session_readings(session), f"T{session.number}")
    return item


def completed_session(charger: SimCharger, session: PlannedSession) -> str:
    """StateId 723's value (Home Assistant's test string shape)."""
    value = {
        "SessionId": session.id,
        "Energy": session.energy_kwh,
        "StartDateTime": session.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "EndDateTime": session.end.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "ReliableClock": True,
        "StoppedByRFID": False,
        "AuthenticationCode": "",
        "FirstAuthenticatedDateTime": "",
        "SignedSession": (
            ocmf(charger, session_readings(session), f"T{session.number}")
            if charger.mid_evidence
            else None
        ),
    }
    return json.dumps(value, separators=(",", ":"))


def state_entry(
    charger: SimCharger, state_id: int, at: datetime, value: str | None
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "ChargerId": charger.id,
        "StateId": state_id,
        "Timestamp": net_time(at),
    }
    if value is not None:
        entry["ValueAsString"] = value
    return entry
