"""Domain types and ports: frozen dataclasses and small Protocols, no I/O, no frameworks."""

from chargebook.domain.models import (
    Charger,
    ChargerConfig,
    ChargerSource,
    ChargerState,
    ChargerStatus,
    ChargerSummary,
    ChargerTotals,
    ChargeSchedule,
    ChargingSession,
    EcoSmart,
    EcoSmartMode,
    MidMeter,
    SessionRecord,
)
from chargebook.domain.ports import ChargerCloud, ChargerControl

__all__ = [
    "ChargeSchedule",
    "Charger",
    "ChargerCloud",
    "ChargerConfig",
    "ChargerControl",
    "ChargerSource",
    "ChargerState",
    "ChargerStatus",
    "ChargerSummary",
    "ChargerTotals",
    "ChargingSession",
    "EcoSmart",
    "EcoSmartMode",
    "MidMeter",
    "SessionRecord",
]
