"""A charger's live state (`chargers/{id}/state`) as a normalised `ChargerStatus`.

`ChargerOperationMode` (StateId 710): 1 Disconnected, 2 Connected_Requesting,
3 Connected_Charging, 5 Connected_Finished; "paused" is mode 5 with FinalStopActive (718) = 1,
as stekker's client reads it (reference §3.4). Power (513) is in W, the session's energy
(553) in kWh, the current set (708) and the charger's maximum (510) in A.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from chargebook.domain.models import ChargerState, ChargerStatus, MidMeter
from chargebook.zaptec.wire import (
    CHARGE_CURRENT_SET,
    CHARGER_MAX_CURRENT,
    FINAL_STOP_ACTIVE,
    IS_ONLINE,
    OPERATION_MODE,
    SESSION_ENERGY_KWH,
    TOTAL_CHARGE_POWER_W,
    Observation,
    number,
)

OPERATION_MODES = {
    0: "Unknown",
    1: "Disconnected",
    2: "Connected_Requesting",
    3: "Connected_Charging",
    5: "Connected_Finished",
}


def is_paused(state: Mapping[int, Observation]) -> bool:
    return _int(state, OPERATION_MODE) == 5 and _int(state, FINAL_STOP_ACTIVE) == 1


def normalised_state(state: Mapping[int, Observation], online: bool | None) -> ChargerState:
    if online is False:
        return ChargerState.DISCONNECTED
    mode = _int(state, OPERATION_MODE)
    if mode == 1:
        return ChargerState.READY
    if mode == 2:
        return ChargerState.WAITING
    if mode == 3:
        return ChargerState.CHARGING
    if mode == 5:
        return ChargerState.PAUSED if is_paused(state) else ChargerState.WAITING
    return ChargerState.UNKNOWN


def status_from(
    charger_id: str,
    state: Mapping[int, Observation],
    *,
    observed_at: datetime,
    mid: MidMeter,
    online: bool | None = None,
    firmware: str | None = None,
) -> ChargerStatus:
    """The live status; values the state lacks are None (shown as unknown)."""
    if online is None and IS_ONLINE in state and state[IS_ONLINE].value is not None:
        online = (state[IS_ONLINE].value or "").strip().lower() in ("1", "true")
    mode = _int(state, OPERATION_MODE)
    normalised = normalised_state(state, online)
    power_w = number(state, TOTAL_CHARGE_POWER_W)
    current_set = number(state, CHARGE_CURRENT_SET)
    max_current = number(state, CHARGER_MAX_CURRENT)
    stamps = [entry.at for entry in state.values() if entry.at is not None]
    return ChargerStatus(
        charger_external_id=charger_id,
        observed_at=observed_at,
        state=normalised,
        status_code=mode,
        car_connected=mode in (2, 3, 5),
        charging_power_kw=power_w / 1000 if power_w is not None else None,
        session_energy_kwh=number(state, SESSION_ENERGY_KWH),
        session_duration_s=None,
        discharged_energy_kwh=0.0,
        locked=None,
        max_charging_current_a=round(current_set) if current_set is not None else None,
        max_available_current_a=round(max_current) if max_current is not None else None,
        icp_max_current_a=None,
        energy_price_per_kwh=None,
        currency=None,
        firmware_version=firmware,
        firmware_update_available=False,
        eco_smart=None,
        mid=mid,
        operation_mode=OPERATION_MODES.get(mode, str(mode)) if mode is not None else None,
        reported_at=max(stamps) if stamps else None,
    )


def _int(state: Mapping[int, Observation], state_id: int) -> int | None:
    value = number(state, state_id)
    return int(value) if value is not None and value == int(value) else None
