"""An OCPP 2.0.1 station's state in the 1.6 vocabulary the charger-control port reads
(`central_system.control`), so one adapter serves both versions.

2.0.1 splits what 1.6's StatusNotification said in one word: the connector's
`connectorStatus` (Available, Occupied, Reserved, Unavailable, Faulted) and the transaction's
`chargingState` (Charging, EVConnected, SuspendedEV, SuspendedEVSE, Idle; in
TransactionEvent). Occupied without a charging state is a car plugged in, not charging yet
(1.6 "Preparing"); an Ended transaction leaves "Finishing" until the connector is free.
"""

from __future__ import annotations

_CONNECTOR = {
    "Available": "Available",
    "Occupied": "Preparing",
    "Reserved": "Reserved",
    "Unavailable": "Unavailable",
    "Faulted": "Faulted",
}
_CHARGING = {
    "Charging": "Charging",
    "EVConnected": "Preparing",
    "SuspendedEV": "SuspendedEV",
    "SuspendedEVSE": "SuspendedEVSE",
    "Idle": "Preparing",
}
FINISHING = "Finishing"


def from_connector_status(connector_status: str, current: str | None) -> str:
    """The 1.6 status after a StatusNotification; an Occupied connector keeps the finer
    state a TransactionEvent already gave."""
    if connector_status == "Occupied" and current is not None and current in _CHARGING.values():
        return current
    return _CONNECTOR.get(connector_status) or current or connector_status


def from_charging_state(charging_state: str | None, current: str | None) -> str | None:
    """The 1.6 status after a TransactionEvent's chargingState (None: it did not say)."""
    if charging_state is None:
        return current
    return _CHARGING.get(charging_state, current)
