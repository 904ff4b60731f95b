"""Home Assistant's documented schema of MQTT discovery payloads, for the entity types the
bridge announces, written down from Home Assistant's documentation:

- home-assistant.io, source/_integrations/{sensor,binary_sensor,switch,lock,number}.mqtt.markdown
  (https://www.home-assistant.io/integrations/sensor.mqtt/ and siblings): each platform's
  "Configuration Variables", which are required and which are allowed;
- https://www.home-assistant.io/integrations/mqtt/ ("MQTT discovery"): the topic format
  `<discovery_prefix>/<component>/[<node_id>/]<object_id>/config`, the `device` block (at
  least one of `identifiers` or `connections`; needs `unique_id`), `origin` (`name`
  required), `availability` (a list of `topic` with optional payloads);
- https://www.home-assistant.io/integrations/sensor/ ("Device class", "State class"): the
  units each sensor device class accepts, and that `energy` takes `total` or
  `total_increasing`, `monetary` only `total`, `enum` an `options` list and no unit or state
  class; https://www.home-assistant.io/integrations/binary_sensor/ for its device classes.

`problems(component, payload)` lists every way a payload breaks these rules (empty: valid).
"""

from __future__ import annotations

import re
from typing import Any

COMMON = frozenset({
    "availability", "availability_mode", "availability_template", "availability_topic",
    "default_entity_id", "device", "enabled_by_default", "encoding", "entity_category",
    "entity_picture", "icon", "json_attributes_template", "json_attributes_topic", "name",
    "object_id", "origin", "payload_available", "payload_not_available", "platform", "qos",
    "unique_id",
})  # fmt: skip

# component -> (required keys, further allowed keys)
COMPONENTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "sensor": (
        frozenset({"state_topic"}),
        frozenset({"device_class", "expire_after", "force_update", "last_reset_value_template",
                   "options", "state_class", "suggested_display_precision",
                   "unit_of_measurement", "value_template"}),
    ),
    "binary_sensor": (
        frozenset({"state_topic"}),
        frozenset({"device_class", "expire_after", "force_update", "off_delay", "payload_off",
                   "payload_on", "value_template"}),
    ),
    "switch": (
        frozenset(),
        frozenset({"command_template", "command_topic", "device_class", "optimistic",
                   "payload_off", "payload_on", "retain", "state_off", "state_on",
                   "state_topic", "value_template"}),
    ),
    "lock": (
        frozenset({"command_topic"}),
        frozenset({"code_format", "command_template", "optimistic", "payload_lock",
                   "payload_open", "payload_reset", "payload_unlock", "retain",
                   "state_jammed", "state_locked", "state_locking", "state_open",
                   "state_opening", "state_topic", "state_unlocked", "state_unlocking",
                   "value_template"}),
    ),
    "number": (
        frozenset({"command_topic"}),
        frozenset({"command_template", "device_class", "max", "min", "mode", "optimistic",
                   "payload_reset", "retain", "state_topic", "step", "unit_of_measurement",
                   "value_template"}),
    ),
}  # fmt: skip

DEVICE_KEYS = frozenset({
    "configuration_url", "connections", "hw_version", "identifiers", "manufacturer", "model",
    "model_id", "name", "serial_number", "suggested_area", "sw_version", "via_device",
})  # fmt: skip
ORIGIN_KEYS = frozenset({"name", "sw_version", "support_url"})
AVAILABILITY_KEYS = frozenset({"topic", "payload_available", "payload_not_available",
                               "value_template"})  # fmt: skip
STATE_CLASSES = frozenset({"measurement", "measurement_angle", "total", "total_increasing"})
SENSOR_UNITS = {
    "power": frozenset({"mW", "W", "kW", "MW", "GW", "TW", "BTU/h"}),
    "energy": frozenset({"J", "kJ", "MJ", "GJ", "mWh", "Wh", "kWh", "MWh", "GWh", "TWh",
                         "cal", "kcal", "Mcal", "Gcal"}),
    "current": frozenset({"A", "mA"}),
}  # fmt: skip
SENSOR_STATE_CLASSES = {
    "energy": frozenset({"total", "total_increasing"}),
    "monetary": frozenset({"total"}),
    "power": frozenset({"measurement"}),
}
BINARY_SENSOR_CLASSES = frozenset({
    "battery", "battery_charging", "carbon_monoxide", "cold", "connectivity", "door",
    "garage_door", "gas", "heat", "light", "lock", "moisture", "motion", "moving", "occupancy",
    "opening", "plug", "power", "presence", "problem", "running", "safety", "smoke", "sound",
    "tamper", "update", "vibration", "window",
})  # fmt: skip
TOPIC = re.compile(
    r"^[A-Za-z0-9_-]+/(sensor|binary_sensor|switch|lock|number)/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+/config$"
)


def _block(name: str, value: Any, allowed: frozenset[str]) -> list[str]:
    if not isinstance(value, dict):
        return [f"{name} is not a map"]
    return [f"{name}.{key} is not a documented key" for key in sorted(set(value) - allowed)]


def problems(component: str, payload: dict[str, Any]) -> list[str]:
    """Every way `payload` breaks Home Assistant's documented rules for `component`."""
    required, allowed = COMPONENTS[component]
    found = [f"{key} is required" for key in sorted(required - set(payload))]
    found += [f"{key} is not a documented key of {component}"
              for key in sorted(set(payload) - required - allowed - COMMON)]  # fmt: skip
    if "device" in payload:
        found += _block("device", payload["device"], DEVICE_KEYS)
        if not (payload["device"].get("identifiers") or payload["device"].get("connections")):
            found.append("device needs identifiers or connections")
        if "unique_id" not in payload:
            found.append("a device block only works with unique_id")
    if "origin" in payload:
        found += _block("origin", payload["origin"], ORIGIN_KEYS)
        if "name" not in payload["origin"]:
            found.append("origin.name is required")
    for item in payload.get("availability", []):
        found += _block("availability[]", item, AVAILABILITY_KEYS)
        if "topic" not in item:
            found.append("availability[].topic is required")
    if "availability" in payload and "availability_topic" in payload:
        found.append("availability and availability_topic must not be used together")
    if payload.get("entity_category") not in (None, "config", "diagnostic"):
        found.append("entity_category must be config or diagnostic")
    found += _values(component, payload)
    return found


def _values(component: str, payload: dict[str, Any]) -> list[str]:
    found: list[str] = []
    device_class = payload.get("device_class")
    state_class = payload.get("state_class")
    unit = payload.get("unit_of_measurement")
    if component == "sensor":
        if state_class is not None and state_class not in STATE_CLASSES:
            found.append(f"state_class {state_class!r} is not a sensor state class")
        if device_class in SENSOR_UNITS and unit not in SENSOR_UNITS[device_class]:
            found.append(f"{device_class} sensors take {sorted(SENSOR_UNITS[device_class])}")
        allowed_states = SENSOR_STATE_CLASSES.get(device_class or "")
        if allowed_states and state_class is not None and state_class not in allowed_states:
            found.append(f"{device_class} sensors take state_class {sorted(allowed_states)}")
        if device_class == "enum":
            if not isinstance(payload.get("options"), list) or not payload["options"]:
                found.append("enum sensors need an options list")
            if unit is not None or state_class is not None:
                found.append("enum sensors take no unit and no state_class")
        elif "options" in payload:
            found.append("options only go with device_class enum")
    if component == "binary_sensor" and device_class not in (None, *BINARY_SENSOR_CLASSES):
        found.append(f"{device_class!r} is not a binary_sensor device class")
    if component == "number":
        if payload.get("mode", "auto") not in ("auto", "box", "slider"):
            found.append("number mode must be auto, box or slider")
        if float(payload.get("step", 1)) < 0.001:
            found.append("number step must be at least 0.001")
        if float(payload.get("min", 1)) >= float(payload.get("max", 100)):
            found.append("number min must be below max")
    return found
