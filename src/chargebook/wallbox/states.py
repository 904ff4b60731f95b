"""Wallbox `status_id` codes (reference §3, Home Assistant's table) to chargebook states."""

from __future__ import annotations

from chargebook.domain.models import ChargerState

UPDATING_CODE = 166

# code -> (state, car connected); anything missing is UNKNOWN with the car's presence unknown.
_CODES: dict[int, tuple[ChargerState, bool]] = {
    0: (ChargerState.DISCONNECTED, False),
    14: (ChargerState.ERROR, False),
    15: (ChargerState.ERROR, False),
    161: (ChargerState.READY, False),
    162: (ChargerState.READY, False),
    163: (ChargerState.DISCONNECTED, False),
    164: (ChargerState.WAITING, True),
    165: (ChargerState.LOCKED, False),
    166: (ChargerState.UPDATING, False),
    177: (ChargerState.SCHEDULED, True),
    179: (ChargerState.SCHEDULED, True),
    178: (ChargerState.PAUSED, True),
    182: (ChargerState.PAUSED, True),  # paused by the user
    180: (ChargerState.WAITING, True),  # waiting for the car's demand
    181: (ChargerState.WAITING, True),
    183: (ChargerState.WAITING, True),  # queued by Power Sharing
    184: (ChargerState.WAITING, True),
    185: (ChargerState.WAITING, True),  # queued by Power Boost
    186: (ChargerState.WAITING, True),
    187: (ChargerState.WAITING, True),  # MID failed
    188: (ChargerState.WAITING, True),  # MID safety margin exceeded
    189: (ChargerState.WAITING, True),  # queued by Eco-Smart
    193: (ChargerState.CHARGING, True),
    194: (ChargerState.CHARGING, True),
    195: (ChargerState.CHARGING, True),
    196: (ChargerState.DISCHARGING, True),  # Quasar V2H
    209: (ChargerState.LOCKED, False),
    210: (ChargerState.LOCKED_CAR_CONNECTED, True),
}


def state_for(code: int | None) -> ChargerState:
    """The chargebook state of a Wallbox status code; UNKNOWN for codes nobody has decoded."""
    if code is None:
        return ChargerState.DISCONNECTED
    return _CODES.get(code, (ChargerState.UNKNOWN, False))[0]


def car_connected(code: int | None) -> bool:
    """Whether the status code implies a car is plugged in (False when unknown)."""
    if code is None:
        return False
    return _CODES.get(code, (ChargerState.UNKNOWN, False))[1]
