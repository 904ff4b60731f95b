"""A smart-charging plan that cannot be met becomes a `plan.unmet` event (a notification).

The controller reports each (re)plan and a passed departure through its `on_event`; when the
plan falls short of the goal (`shortfall_kwh`), or the departure passed short of it, the
charger's owner is told once per departure (the outbox's dedupe key).
"""

from __future__ import annotations

import logging

from chargebook.clock import Clock
from chargebook.db import Database
from chargebook.db.hooks.outbox import SqlOutbox
from chargebook.domain.events import DomainEvent, EventKind
from chargebook.domain.prices import ChargePlan
from chargebook.domain.smart import ControllerEvent
from chargebook.domain.smart import EventKind as SmartEvent
from chargebook.domain.stored import StoredCharger

_LOGGER = logging.getLogger(__name__)
SHORT_KWH = 0.05  # less is rounding, not a plan that fails


def announce_unmet(
    database: Database,
    clock: Clock,
    charger: StoredCharger,
    plan: ChargePlan | None,
    event: ControllerEvent,
) -> bool:
    """Emit `plan.unmet` if `event` shows the plan short of its goal; whether it did now."""
    if charger.owner_user_id is None or plan is None:
        return False
    planned = event.kind in (SmartEvent.PLANNED, SmartEvent.REPLANNED)
    if not (event.kind is SmartEvent.PLAN_OVERRUN or (planned and plan.shortfall_kwh > SHORT_KWH)):
        return False
    departure = plan.goal.departure.isoformat()
    data = {
        "charger_id": charger.id,
        "charger": charger.charger.name,
        "departure": departure,
        "shortfall_kwh": round(plan.shortfall_kwh, 2),
        "reason": event.message,
    }
    try:
        with database.transaction() as session:
            return SqlOutbox(session, clock).emit_once(
                DomainEvent(EventKind.PLAN_UNMET, charger.owner_user_id, data),
                f"plan-unmet:{charger.id}:{departure}",
            )
    except Exception:  # telling the owner never stops smart charging
        _LOGGER.exception("could not record plan.unmet for charger %d", charger.id)
        return False
