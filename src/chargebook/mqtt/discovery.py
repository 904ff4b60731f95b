"""Home Assistant MQTT discovery messages: one device per charger and one per owner's
credits, each entity's config on `<discovery prefix>/<component>/<node>/<object>/config`.

The keys are Home Assistant's documented ones for each platform (home-assistant.io,
integrations sensor.mqtt, binary_sensor.mqtt, switch.mqtt, lock.mqtt, number.mqtt and
"MQTT discovery"); `tests/mqtt/ha_schema.py` checks every payload against them. Every
entity is available while the bridge is (`<prefix>/status`: birth `online`, last will
`offline`). A control the charger's system lacks gets an empty config, which removes an
entity Home Assistant may have from before.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from chargebook.domain.control import ControlFeature
from chargebook.domain.models import ChargerSource, ChargerState
from chargebook.domain.stored import StoredCharger
from chargebook.mqtt.topics import Topics

MIN_CURRENT_A = 6  # IEC 61851: below 6 A a car does not charge (the web's lower bound too)
DEFAULT_MAX_CURRENT_A = 32
ON, OFF = "ON", "OFF"
LOCKED, UNLOCKED = "LOCKED", "UNLOCKED"
LOCK, UNLOCK = "LOCK", "UNLOCK"
ONLINE, OFFLINE = "online", "offline"
_MANUFACTURERS = {
    ChargerSource.WALLBOX_CLOUD: "Wallbox",
    ChargerSource.EASEE_CLOUD: "Easee",
    ChargerSource.ZAPTEC_CLOUD: "Zaptec",
    ChargerSource.PEBLAR_LOCAL: "Peblar",
}


def _origin() -> dict[str, str]:
    """Who sends the discovery messages (Home Assistant shows it on the device page)."""
    try:
        return {"name": "chargebook", "sw_version": version("chargebook")}
    except PackageNotFoundError:  # run from a source tree that was never installed
        return {"name": "chargebook"}


ORIGIN = _origin()

# One discovery message: its topic and its JSON payload (None: remove the entity).
Discovery = tuple[str, dict[str, Any] | None]


def _node_base(topics: Topics) -> str:
    """The prefix as a node id: a second chargebook on the broker, with its own prefix, has
    its own device and entity ids in Home Assistant."""
    return topics.prefix.replace("/", "_")


def charger_node(topics: Topics, charger: StoredCharger) -> str:
    return f"{_node_base(topics)}_charger_{charger.id}"


def owner_node(topics: Topics, owner_id: int) -> str:
    return f"{_node_base(topics)}_owner_{owner_id}"


def _common(topics: Topics, node: str, object_id: str, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "unique_id": f"{node}_{object_id}",
        "availability": [
            {"topic": topics.status, "payload_available": ONLINE, "payload_not_available": OFFLINE}
        ],
        "origin": ORIGIN,
    }


def charger_device(topics: Topics, charger: StoredCharger) -> dict[str, Any]:
    facts = charger.charger
    device: dict[str, Any] = {
        "identifiers": [charger_node(topics, charger)],
        "manufacturer": _MANUFACTURERS.get(facts.source, "OCPP charger via chargebook"),
        "model": facts.model or "charger",
        "name": facts.name or f"Charger {charger.id}",
    }
    if facts.firmware_version:
        device["sw_version"] = facts.firmware_version
    if facts.serial_number:
        device["serial_number"] = facts.serial_number
    return device


def charger_discovery(
    topics: Topics,
    charger: StoredCharger,
    features: frozenset[ControlFeature],
    *,
    commands: bool,
) -> list[Discovery]:
    """The discovery messages of one charger's entities (see the module docstring)."""
    node, cid = charger_node(topics, charger), charger.id
    device = charger_device(topics, charger)

    def entity(object_id: str, name: str, key: str, **extra: Any) -> dict[str, Any]:
        found = _common(topics, node, object_id, name)
        found.update(device=device, state_topic=topics.charger(cid, key), **extra)
        return found

    found: list[Discovery] = [
        (
            topics.config("sensor", node, "state"),
            entity("state", "State", "state", device_class="enum",
                   options=[s.value for s in ChargerState], icon="mdi:ev-station"),
        ),
        (
            topics.config("sensor", node, "power"),
            entity("power", "Power", "power", device_class="power",
                   state_class="measurement", unit_of_measurement="kW"),
        ),
        (
            topics.config("sensor", node, "session_energy"),
            entity("session_energy", "Session energy", "session_energy",
                   device_class="energy", state_class="total_increasing",
                   unit_of_measurement="kWh"),
        ),
        (
            topics.config("sensor", node, "last_session_energy"),
            entity("last_session_energy", "Last session", "last_session_energy",
                   device_class="energy", unit_of_measurement="kWh",
                   json_attributes_topic=topics.charger(cid, "last_session")),
        ),
        (
            topics.config("sensor", node, "ere_year"),
            entity("ere_year", "EREs this year", "ere_year", unit_of_measurement="ERE",
                   state_class="total", icon="mdi:leaf"),
        ),
        (
            topics.config("binary_sensor", node, "car_connected"),
            entity("car_connected", "Car connected", "car_connected", device_class="plug",
                   payload_on=ON, payload_off=OFF),
        ),
        (
            topics.config("sensor", node, "last_command"),
            entity("last_command", "Last command", "ack",
                   value_template="{{ value_json.result }}",
                   json_attributes_topic=topics.ack(cid), icon="mdi:message-reply-text",
                   entity_category="diagnostic"),
        ),
    ]  # fmt: skip
    found += _controls(topics, charger, node, device, features if commands else frozenset())
    return found


def _controls(
    topics: Topics,
    charger: StoredCharger,
    node: str,
    device: dict[str, Any],
    features: frozenset[ControlFeature],
) -> list[Discovery]:
    """The switch, lock and number of the controls the charger's system supports."""
    cid = charger.id

    def control(object_id: str, name: str, key: str, **extra: Any) -> dict[str, Any]:
        found = _common(topics, node, object_id, name)
        found.update(
            device=device,
            state_topic=topics.charger(cid, key),
            command_topic=topics.command(cid, key),
            **extra,
        )
        return found

    maximum = charger.charger.max_current_a or DEFAULT_MAX_CURRENT_A
    return [
        (
            topics.config("switch", node, "charging"),
            control("charging", "Charging", "charging", payload_on=ON, payload_off=OFF,
                    state_on=ON, state_off=OFF, icon="mdi:ev-plug-type2")
            if ControlFeature.PAUSE_RESUME in features
            else None,
        ),
        (
            topics.config("lock", node, "lock"),
            control("lock", "Lock", "lock", payload_lock=LOCK, payload_unlock=UNLOCK,
                    state_locked=LOCKED, state_unlocked=UNLOCKED)
            if ControlFeature.LOCK in features
            else None,
        ),
        (
            topics.config("number", node, "current_limit"),
            control("current_limit", "Current limit", "current_limit",
                    min=MIN_CURRENT_A, max=max(MIN_CURRENT_A, maximum), step=1,
                    unit_of_measurement="A", device_class="current", mode="slider")
            if ControlFeature.CURRENT in features
            else None,
        ),
    ]  # fmt: skip


def owner_discovery(topics: Topics, owner_id: int) -> list[Discovery]:
    """An owner's credits device: the quarter's EREs and what was paid for them."""
    node = owner_node(topics, owner_id)
    device = {
        "identifiers": [node],
        "manufacturer": "chargebook",
        "model": "ERE credits",
        "name": f"chargebook credits (owner {owner_id})",
    }
    credits = topics.owner(owner_id, "credits")

    def entity(object_id: str, name: str, field: str, **extra: Any) -> dict[str, Any]:
        found = _common(topics, node, object_id, name)
        found.update(
            device=device,
            state_topic=credits,
            value_template=f"{{{{ value_json.{field} }}}}",
            json_attributes_topic=credits,
            **extra,
        )
        return found

    return [
        (
            topics.config("sensor", node, "quarter_ere"),
            entity("quarter_ere", "EREs this quarter", "ere", unit_of_measurement="ERE",
                   icon="mdi:leaf"),
        ),
        (
            topics.config("sensor", node, "quarter_paid_eur"),
            entity("quarter_paid_eur", "Paid this quarter", "paid_eur",
                   device_class="monetary", unit_of_measurement="EUR"),
        ),
    ]  # fmt: skip


def removal(topics: Topics, found: list[Discovery]) -> list[Discovery]:
    """The empty configs that remove `found`'s entities (a charger no longer published)."""
    return [(topic, None) for topic, _ in found]
