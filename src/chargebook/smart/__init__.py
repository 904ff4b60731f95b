"""Smart charging at run time: the controller that carries plans out through a charger's
`ChargerControl` port (one adapter per system, beside its client), repeating weekday plans
and the savings ledger. It imports only `domain`, `clock`, `errors` and the pure `planner`."""

from chargebook.smart.controller import SmartController
from chargebook.smart.ledger import EnergyLedger, session_saving
from chargebook.smart.repeating import StaticPlans, goal_for, next_departure, next_plan
from chargebook.smart.runtime import SMALL_SLOT, Decision, decide
from chargebook.smart.settings import ControllerSettings

__all__ = [
    "SMALL_SLOT",
    "ControllerSettings",
    "Decision",
    "EnergyLedger",
    "SmartController",
    "StaticPlans",
    "decide",
    "goal_for",
    "next_departure",
    "next_plan",
    "session_saving",
]
