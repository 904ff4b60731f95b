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
from chargebook.domain.stored import AuditEntry, BookSession, MonthlyEnergy, StoredCharger
from chargebook.domain.users import User, UserRole, WallboxAccount, WallboxCredentials

__all__ = [
    "AuditEntry",
    "BookSession",
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
    "MonthlyEnergy",
    "SessionRecord",
    "StoredCharger",
    "User",
    "UserRole",
    "WallboxAccount",
    "WallboxCredentials",
]
