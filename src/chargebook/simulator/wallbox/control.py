"""Writes: validate a request body and record the change on the charger's timeline."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime
from typing import Any

from chargebook.simulator.wallbox.schedules import ScheduleError, parse_schedules
from chargebook.simulator.wallbox.state import (
    CHARGING,
    MIN_CURRENT_A,
    PAUSED,
    UPDATING,
    ChargerState,
    Controls,
    EcoSmart,
)

ACTIONS = frozenset({1, 2, 3, 4, 5, 9})


class BadRequest(ValueError):
    """The body is malformed; the API answers 400."""


def _number(value: object, name: str) -> float:
    # FLH sent the current as a string ("16") and it was accepted (reference §2.4).
    if isinstance(value, bool):
        raise BadRequest(f"{name} must be a number")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise BadRequest(f"{name} must be a number") from exc
    if not math.isfinite(number):
        raise BadRequest(f"{name} must be finite")
    return number


def _flag(value: object, name: str) -> bool:
    if value in (0, 1, True, False, "0", "1"):
        return value in (1, True, "1")
    raise BadRequest(f"{name} must be 0 or 1")


def _clamp_current(state: ChargerState, value: object, name: str) -> int:
    amps = round(_number(value, name))
    return max(MIN_CURRENT_A, min(state.charger.model.max_current_a, amps))


def _object(body: object) -> dict[str, Any]:
    if not isinstance(body, dict) or not body:
        raise BadRequest("body must be a non-empty JSON object")
    return body


def update_charger(state: ChargerState, body: object, now: datetime) -> None:
    """`PUT v2/charger/{id}`: `locked` 0/1 and/or `maxChargingCurrent` (clamped to 6..max A)."""
    fields = _object(body)
    changes: dict[str, object] = {}
    if "locked" in fields:
        changes["locked"] = _flag(fields["locked"], "locked")
    if "maxChargingCurrent" in fields:
        changes["current_a"] = _clamp_current(state, fields["maxChargingCurrent"], "current")
    if not changes:
        raise BadRequest("nothing to change")
    state.change(now, **changes)


def remote_action(state: ChargerState, body: object, now: datetime) -> int:
    """`POST v3/chargers/{id}/remote-action`; returns the action number."""
    fields = _object(body)
    action = fields.get("action")
    if isinstance(action, bool) or not isinstance(action, int) or action not in ACTIONS:
        raise BadRequest("unknown action")
    status_id, session, _ = state.status_at(now)
    controls = state.controls_at(now)
    if action == 1 and session is not None and status_id == PAUSED:
        # Resume only acts on a manual pause; in Scheduled or Waiting it does nothing.
        state.change(now, paused_session=None, override_session=session.id)
    elif action == 2 and session is not None and status_id == CHARGING:
        state.change(now, paused_session=session.id)
    elif action == 3 and status_id != UPDATING:
        state.change(now, reboot_at=now)
    elif action == 4:
        initial = state.initial_controls
        state.change(now, **{**_as_changes(initial), "reboot_at": now})
    elif action == 5 and _update_available(state, controls, now) and status_id != UPDATING:
        state.change(now, update_started_at=now)
    elif action == 9:
        state.change(now, paused_session=None, override_session=None)
    return action


def _as_changes(controls: Controls) -> dict[str, object]:
    return {
        "locked": controls.locked,
        "current_a": controls.current_a,
        "energy_price": controls.energy_price,
        "icp_max_current": controls.icp_max_current,
        "home_sharing": controls.home_sharing,
        "ecosmart": controls.ecosmart,
        "schedules": controls.schedules,
        "paused_session": None,
        "override_session": None,
    }


def _update_available(state: ChargerState, controls: Controls, now: datetime) -> bool:
    charger = state.charger
    return charger.current_version != charger.latest_version and not controls.updated(now)


def update_config(state: ChargerState, body: object, now: datetime) -> None:
    """`POST chargers/config/{id}`: energy price, Power Boost, max current."""
    fields = _object(body)
    changes: dict[str, object] = {}
    for key in ("energyCost", "energy_price"):
        if key in fields:
            price = _number(fields[key], key)
            if price < 0:
                raise BadRequest("energy price must be >= 0")
            changes["energy_price"] = round(price, 4)
    if "currency_id" in fields and fields["currency_id"] not in (1, "1"):
        raise BadRequest("only currency 1 (EUR) is supported")
    if "icp_max_current" in fields:
        icp = fields["icp_max_current"]
        changes["icp_max_current"] = None if icp is None else round(_number(icp, "icp"))
    if "home_sharing" in fields:
        changes["home_sharing"] = int(_flag(fields["home_sharing"], "home_sharing"))
    if "max_charging_current" in fields:
        changes["current_a"] = _clamp_current(state, fields["max_charging_current"], "current")
    if not changes:
        raise BadRequest("nothing to change")
    state.change(now, **changes)


def update_ecosmart(state: ChargerState, body: object, now: datetime) -> EcoSmart:
    """`PUT v4/chargers/{id}/eco-smart` with the `data.attributes` envelope."""
    fields = _object(body)
    data = fields.get("data")
    attributes = data.get("attributes") if isinstance(data, dict) else None
    if not isinstance(attributes, dict) or "enabled" not in attributes:
        raise BadRequest("expected data.attributes.enabled")
    mode = attributes.get("mode", 0)
    if mode not in (0, 1):
        raise BadRequest("mode must be 0 (eco) or 1 (full solar)")
    current = state.controls_at(now).ecosmart
    percentage = round(_number(attributes.get("percentage", current.percentage), "percentage"))
    eco = replace(
        current,
        enabled=_flag(attributes["enabled"], "enabled"),
        mode=int(mode),
        percentage=max(0, min(100, percentage)),
    )
    state.change(now, ecosmart=eco)
    return eco


def update_schedules(state: ChargerState, body: object, now: datetime) -> None:
    """`POST chargers/{id}/schedules`: replace all slots (at most 4)."""
    try:
        schedules = parse_schedules(body)
    except ScheduleError as exc:
        raise BadRequest(str(exc)) from exc
    state.change(now, schedules=schedules)
