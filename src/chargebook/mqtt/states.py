"""The retained state messages: what each state topic carries, as text.

Numbers are plain decimals (kW and kWh to 3 places), switches `ON`/`OFF`, the lock
`LOCKED`/`UNLOCKED`, JSON where Home Assistant reads attributes. A value the charger's
system does not report is published as `None`, the payload Home Assistant's MQTT entities
take as "unknown" (the number's and the lock's documented `payload_reset` default; sensors,
binary sensors and switches read it the same way).
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from chargebook.domain.models import ChargerState
from chargebook.mqtt.discovery import LOCKED, OFF, ON, UNLOCKED
from chargebook.mqtt.ports import ChargerReading
from chargebook.mqtt.reads import ChargerFacts, QuarterFigures
from chargebook.mqtt.topics import Topics

UNKNOWN = "None"


def _number(value: float | Decimal | None, places: int = 3) -> str:
    if value is None:
        return UNKNOWN
    text = f"{Decimal(str(value)).quantize(Decimal(1).scaleb(-places)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _switch(value: bool | None, on: str = ON, off: str = OFF) -> str:
    return UNKNOWN if value is None else (on if value else off)


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def charger_states(
    topics: Topics, charger_id: int, reading: ChargerReading, facts: ChargerFacts
) -> dict[str, str]:
    """Topic -> payload of one charger's state values."""
    last = facts.last_session
    last_json: dict[str, Any] = (
        {
            "session_id": last.session_id,
            "started_at": _time(last.started_at),
            "ended_at": _time(last.ended_at),
            "energy_kwh": _number(last.energy_kwh),
            "duration_s": last.duration_s,
        }
        if last is not None
        else {}
    )
    values = {
        "state": reading.state,
        "power": _number(reading.power_kw),
        "session_energy": _number(reading.energy_kwh),
        "current_limit": str(reading.current_a) if reading.current_a is not None else UNKNOWN,
        "lock": _switch(reading.locked, LOCKED, UNLOCKED),
        # The pause/resume switch: ON unless the charger is paused (or locked from charging).
        "charging": _switch(reading.state not in (ChargerState.PAUSED.value,)),
        "car_connected": _switch(reading.car_connected),
        "last_session_energy": _number(last.energy_kwh if last is not None else None),
        "last_session": json.dumps(last_json, sort_keys=True),
        "ere_year": _number(facts.ere_year, 1),
    }
    return {topics.charger(charger_id, key): value for key, value in values.items()}


def owner_states(topics: Topics, owner_id: int, figures: QuarterFigures) -> dict[str, str]:
    """Topic -> payload of an owner's credits of the quarter (one JSON message)."""
    payload = {
        "period": figures.period,
        "ere": _number(figures.ere, 1),
        "pending_ere": _number(figures.pending_ere, 1),
        "eligible_ere": _number(figures.eligible_ere, 1),
        "registered_ere": _number(figures.registered_ere, 1),
        "paid_ere": _number(figures.paid_ere, 1),
        "paid_eur": _number(figures.paid_eur, 2),
        "eligible_sessions": figures.eligible_sessions,
        "eligible_energy_kwh": _number(figures.eligible_energy_kwh),
        "is_estimate": figures.is_estimate,
    }
    return {topics.owner(owner_id, "credits"): json.dumps(payload, sort_keys=True)}
