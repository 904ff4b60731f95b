"""Domain types and ports: frozen dataclasses and small Protocols, no I/O, no frameworks."""

from chargebook.domain.models import (
    Charger,
    ChargerSource,
    ChargerState,
    ChargerStatus,
    ChargingSession,
    EcoSmart,
    EcoSmartMode,
    MidMeter,
    SessionRecord,
)
from chargebook.domain.ports import ChargerCloud, ChargerControl

__all__ = [
    "Charger",
    "ChargerCloud",
    "ChargerControl",
    "ChargerSource",
    "ChargerState",
    "ChargerStatus",
    "ChargingSession",
    "EcoSmart",
    "EcoSmartMode",
    "MidMeter",
    "SessionRecord",
]
