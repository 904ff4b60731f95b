"""Easee payloads -> chargebook values: times, chargers, live state (reference §2.3-§2.5).

Easee writes UTC three ways (`…Z`, `…+00:00`, naive with microseconds: reference §2.8 #2); all
are UTC. Powers are kW, energies kWh, currents A.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chargebook.domain.models import (
    Charger,
    ChargerReading,
    ChargerSource,
    ChargerState,
    ChargerStatus,
)
from chargebook.easee.models import NO_MID_EVIDENCE, model_name
from chargebook.errors import ApiPayloadError

BRAND = "Easee"
SOURCE = ChargerSource.EASEE_CLOUD

# chargerOpMode -> state (pyeasee `STATUS`); 2 AwaitingStart covers a pause, a schedule
# and a car that does not draw: the API does not tell them apart.
_STATES: dict[int, ChargerState] = {
    0: ChargerState.DISCONNECTED,
    1: ChargerState.READY,
    2: ChargerState.WAITING,
    3: ChargerState.CHARGING,
    4: ChargerState.WAITING,
    5: ChargerState.ERROR,
    6: ChargerState.WAITING,
    7: ChargerState.WAITING,
    8: ChargerState.WAITING,
    100: ChargerState.CHARGING,
    101: ChargerState.WAITING,
    102: ChargerState.DISCONNECTED,
    103: ChargerState.WAITING,
    104: ChargerState.WAITING,
    105: ChargerState.SCHEDULED,
    106: ChargerState.SCHEDULED,
    107: ChargerState.WAITING,
    108: ChargerState.WAITING,
    109: ChargerState.WAITING,
}
_OP_MODE_NAMES = {
    0: "OFFLINE", 1: "DISCONNECTED", 2: "AWAITING_START", 3: "CHARGING", 4: "COMPLETED",
    5: "ERROR", 6: "READY_TO_CHARGE", 7: "AWAITING_AUTHORIZATION", 8: "DE_AUTHORIZING",
}  # fmt: skip
_NO_CAR = frozenset({0, 1, 102})
CHARGER_DISABLED = 53  # reasonForNoCurrent


def parse_time(value: object) -> datetime:
    """A time as Easee writes it, UTC-aware.

    Raises:
        ValueError: not a string, or not an ISO 8601 time.
    """
    if not isinstance(value, str):
        raise ValueError(f"a time must be a string, not {type(value).__name__}")
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def state_for(op_mode: int | None, *, online: bool, enabled: bool) -> ChargerState:
    """The normalised state: offline first, a disabled charger is locked, then `_STATES`;
    extended codes 157+ are errors (pyeasee `STATUS`)."""
    if not online or op_mode is None:
        return ChargerState.DISCONNECTED if not online else ChargerState.UNKNOWN
    if not enabled:
        return ChargerState.LOCKED if op_mode in _NO_CAR else ChargerState.LOCKED_CAR_CONNECTED
    if op_mode >= 157:
        return ChargerState.ERROR
    return _STATES.get(op_mode, ChargerState.UNKNOWN)


def _object(payload: Any, what: str) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise ApiPayloadError(f"Easee's {what} is not a JSON object", brand=BRAND)
    return payload


def _number(payload: dict[str, Any], key: str) -> float | None:
    value = payload.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def charger_items(payload: Any) -> list[dict[str, Any]]:
    """`GET /api/chargers`: a list of objects, each with a string `id`.

    Raises:
        ApiPayloadError: anything else (the whole answer is unusable).
    """
    if not isinstance(payload, list) or not all(
        isinstance(item, dict) and isinstance(item.get("id"), str) for item in payload
    ):
        raise ApiPayloadError("Easee's charger list is not a list of chargers", brand=BRAND)
    return payload


def charger(item: dict[str, Any], state: Any, config: Any) -> Charger:
    """A `Charger` from its list item, state (firmware) and config (max current)."""
    state, config = _object(state, "charger state"), _object(config, "charger config")
    firmware = state.get("chargerFirmware")
    max_current = _number(config, "maxChargerCurrent")
    return Charger(
        source=SOURCE,
        external_id=item["id"],
        name=str(item.get("name") or item["id"]),
        serial_number=item["id"],  # an Easee's id is its serial number (EH…, EC…)
        part_number=None,
        model=model_name(item.get("productCode")),
        firmware_version=str(firmware) if isinstance(firmware, int) else None,
        max_current_a=round(max_current) if max_current is not None else None,
        time_zone=None,  # the API gives the site's country, not a zone
        mid=NO_MID_EVIDENCE,
    )


def status(charger_id: str, state: Any, config: Any, observed_at: datetime) -> ChargerStatus:
    """A `ChargerStatus` from `GET …/state` and `GET …/config`.

    Raises:
        ApiPayloadError: either answer is not a JSON object.
    """
    state, config = _object(state, "charger state"), _object(config, "charger config")
    op_mode = state.get("chargerOpMode")
    op_mode = op_mode if isinstance(op_mode, int) and not isinstance(op_mode, bool) else None
    online = state.get("isOnline") is not False
    enabled = config.get("isEnabled") is not False
    dynamic, maximum = _number(state, "dynamicChargerCurrent"), _number(config, "maxChargerCurrent")
    limits = [a for a in (dynamic, maximum) if a is not None]
    firmware, latest = state.get("chargerFirmware"), state.get("latestFirmware")
    try:
        reported_at: datetime | None = parse_time(state.get("latestPulse"))
    except ValueError:
        reported_at = None
    return ChargerStatus(
        charger_external_id=charger_id,
        observed_at=observed_at,
        state=state_for(op_mode, online=online, enabled=enabled),
        status_code=op_mode,
        car_connected=online and op_mode is not None and op_mode not in _NO_CAR,
        charging_power_kw=_number(state, "totalPower"),
        session_energy_kwh=_number(state, "sessionEnergy"),
        session_duration_s=None,
        discharged_energy_kwh=0.0,
        locked=not enabled,
        max_charging_current_a=round(min(limits)) if limits else None,
        max_available_current_a=round(maximum) if maximum is not None else None,
        icp_max_current_a=None,
        energy_price_per_kwh=None,
        currency=None,
        firmware_version=str(firmware) if isinstance(firmware, int) else None,
        firmware_update_available=isinstance(firmware, int)
        and isinstance(latest, int)
        and latest > firmware,
        eco_smart=None,
        mid=NO_MID_EVIDENCE,
        operation_mode=_OP_MODE_NAMES.get(op_mode) if op_mode is not None else None,
        reported_at=reported_at,
    )


def json_object(what: str) -> Any:
    """A `parse` for `EaseeHttp.get`: the answer must be a JSON object."""

    def parse(payload: Any) -> dict[str, Any]:
        return _object(payload, what)

    return parse


def site_ids(payload: Any) -> list[int]:
    """`GET /api/sites`: the ids of the account's sites.

    Raises:
        ApiPayloadError: not a list of objects with an integer `id`.
    """
    if not isinstance(payload, list) or not all(
        isinstance(s, dict) and isinstance(s.get("id"), int) for s in payload
    ):
        raise ApiPayloadError("Easee's site list is not a list of sites", brand=BRAND)
    return [int(s["id"]) for s in payload]


def site_readings(payload: Any, observed_at: datetime) -> list[ChargerReading]:
    """`GET /api/sites/{id}/state`: every charger of the site with its config and state
    (pyeasee `SiteState`), as the recorder's one-read overview.

    Raises:
        ApiPayloadError: the answer is not in that shape.
    """
    site = _object(payload, "site state")
    circuits = site.get("circuitStates")
    if not isinstance(circuits, list):
        raise ApiPayloadError("Easee's site state has no circuitStates list", brand=BRAND)
    readings = []
    for circuit in circuits:
        circuit = _object(circuit, "circuit state")
        listed = _object(circuit.get("circuit"), "circuit").get("chargers") or []
        items = {c["id"]: c for c in listed if isinstance(c, dict) and isinstance(c.get("id"), str)}
        states = circuit.get("chargerStates")
        if not isinstance(states, list):
            raise ApiPayloadError("Easee's circuit state has no chargerStates", brand=BRAND)
        for entry in states:
            entry = _object(entry, "charger state")
            charger_id = entry.get("chargerID")
            if not isinstance(charger_id, str):
                raise ApiPayloadError("a site state's charger has no chargerID", brand=BRAND)
            state, config = entry.get("chargerState"), entry.get("chargerConfig")
            found = charger(items.get(charger_id, {"id": charger_id}), state, config)
            readings.append(reading(found, status(charger_id, state, config, observed_at)))
    return readings


def reading(found: Charger, live: ChargerStatus) -> ChargerReading:
    return ChargerReading(
        charger=found,
        observed_at=live.observed_at,
        state=live.state,
        status_code=live.status_code if live.status_code is not None else -1,
        charging_power_kw=live.charging_power_kw,
        session_energy_kwh=live.session_energy_kwh,
        reported_at=live.reported_at,
    )
