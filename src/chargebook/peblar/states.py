"""The charger's IEC 61851 control pilot state (`CpState`) as chargebook's `ChargerState`.

The values are python-peblar's `CPState` (reference §7.1): A no car, B car connected but not
charging (suspended by the car or the charger), C charging, D charging with ventilation, E
error (short, powered off), F fault, "State Invalid" and "unknown state".
"""

from __future__ import annotations

from chargebook.domain.models import ChargerState

_STATES = {
    "State A": ChargerState.READY,
    "State B": ChargerState.WAITING,
    "State C": ChargerState.CHARGING,
    "State D": ChargerState.CHARGING,
    "State E": ChargerState.ERROR,
    "State F": ChargerState.ERROR,
}


def charger_state(cp_state: str, *, limit_ma: int) -> ChargerState:
    """A car connected under a limit of 0 A is paused (how HA's charge switch pauses it)."""
    state = _STATES.get(cp_state, ChargerState.UNKNOWN)
    if state is ChargerState.WAITING and limit_ma == 0:
        return ChargerState.PAUSED
    return state


def car_connected(cp_state: str) -> bool:
    return cp_state in ("State B", "State C", "State D")
