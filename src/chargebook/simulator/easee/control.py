"""Commands and settings: validate a body and record the change on the charger's timeline.

What each does (reference §2.3, pyeasee `charger.py`): pause/stop hold the plugged-in session
without current, resume/start release it, toggle flips; `set_dynamic_charger_current` is
volatile (a reboot resets it to the max current); `lock_state` locks the cable permanently;
`settings` take any of the fields pyeasee sends. The TTL of a dynamic current (`minutes`) is
accepted and not enforced (a simplification).
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from chargebook.simulator.easee.fleet import MIN_CURRENT_A
from chargebook.simulator.easee.state import ChargerState

NO_BODY_COMMANDS = frozenset(
    {
        "start_charging",
        "stop_charging",
        "pause_charging",
        "resume_charging",
        "toggle_charging",
        "reboot",
        "update_firmware",
        "override_schedule",
        "poll_lifetimeenergy",
        "poll_chargeropmode",
    }
)
BODY_COMMANDS = frozenset({"lock_state", "set_dynamic_charger_current"})
# settings fields pyeasee 0.8.21 sends, with their checks; kept as shown in the config
STORED_SETTINGS = {
    "enableIdleCurrent": "bool",
    "limitToSinglePhaseCharging": "bool",
    "smartButtonEnabled": "bool",
    "phaseMode": "phase",
    "ledStripBrightness": "percent",
}


class BadRequest(ValueError):
    """The body is malformed; the API answers 400."""


def _number(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadRequest(f"{name} must be a number")
    if not math.isfinite(value):
        raise BadRequest(f"{name} must be finite")
    return float(value)


def _bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise BadRequest(f"{name} must be true or false")
    return value


def _amps(state: ChargerState, value: object, name: str, floor: float = 0.0) -> float:
    amps = _number(value, name)
    if not floor <= amps <= state.charger.model.max_current_a:
        raise BadRequest(f"{name} must be within {floor:g}..{state.charger.model.max_current_a} A")
    return amps


def command(state: ChargerState, name: str, body: object, now: datetime) -> None:
    """Apply command `name`; raises BadRequest for a bad body, KeyError for no such command."""
    if name not in NO_BODY_COMMANDS | BODY_COMMANDS:
        raise KeyError(name)
    session = state.plan.at(now)
    current = state.latest
    if name in ("pause_charging", "stop_charging"):
        state.change(now, paused_session=session.id if session else None)
    elif name in ("resume_charging", "start_charging", "override_schedule"):
        state.change(now, paused_session=None)
    elif name == "toggle_charging":
        paused = session is not None and current.paused_session == session.id
        state.change(now, paused_session=None if paused or session is None else session.id)
    elif name == "reboot":
        state.change(
            now, reboot_at=now, dynamic_current_a=float(current.max_current_a), paused_session=None
        )
    elif name == "lock_state":
        if not isinstance(body, dict) or "state" not in body:
            raise BadRequest('body must be {"state": true|false}')
        state.change(now, cable_locked_permanently=_bool(body["state"], "state"))
    elif name == "set_dynamic_charger_current":
        if not isinstance(body, dict) or "amps" not in body:
            raise BadRequest('body must be {"amps": n, "minutes": m}')
        _number(body.get("minutes", 0), "minutes")
        state.change(now, dynamic_current_a=_amps(state, body["amps"], "amps"))


def settings(state: ChargerState, body: object, now: datetime) -> None:
    """`POST /api/chargers/{id}/settings`: every field checked before any is applied."""
    if not isinstance(body, dict) or not body:
        raise BadRequest("body must be a non-empty JSON object")
    changes: dict[str, Any] = {}
    stored = dict(state.latest.settings)
    for key, value in body.items():
        if key == "enabled":
            changes["enabled"] = _bool(value, key)
        elif key == "smartCharging":
            changes["smart_charging"] = _bool(value, key)
        elif key == "maxChargerCurrent":
            changes["max_current_a"] = round(_amps(state, value, key, MIN_CURRENT_A))
        elif key == "dynamicChargerCurrent":
            changes["dynamic_current_a"] = _amps(state, value, key)
        elif key in STORED_SETTINGS:
            stored[key] = _stored(STORED_SETTINGS[key], value, key)
        else:
            raise BadRequest(f"unknown setting {key}")
    state.change(now, settings=stored, **changes)


def _stored(kind: str, value: object, name: str) -> object:
    if kind == "bool":
        return _bool(value, name)
    number = _number(value, name)
    if kind == "phase" and number not in (1, 2, 3):
        raise BadRequest("phaseMode must be 1, 2 or 3")
    if kind == "percent" and not 0 <= number <= 100:
        raise BadRequest("ledStripBrightness must be within 0..100")
    return int(number)


def circuit_dynamic(states: list[ChargerState], body: object, now: datetime) -> None:
    """`POST /api/sites/{site}/circuits/{circuit}/dynamicCurrent` {phase1..3, timeToLive}."""
    if not isinstance(body, dict):
        raise BadRequest("body must be a JSON object")
    phases = [_number(body.get(f"phase{n}"), f"phase{n}") for n in (1, 2, 3)]
    if any(not 0 <= p <= 80 for p in phases):
        raise BadRequest("phase currents must be within 0..80 A")
    for state in states:
        state.change(now, circuit_dynamic_a=min(phases))
