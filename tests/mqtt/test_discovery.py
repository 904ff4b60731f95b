"""Every discovery payload the bridge announces passes Home Assistant's documented schema of
its entity type (`ha_schema.py`), and a control the charger's system lacks removes its entity
instead of announcing a control that cannot work."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from chargebook.db.core.testing import example_charger
from chargebook.domain.control import ControlFeature
from chargebook.domain.models import ChargerSource
from chargebook.domain.stored import StoredCharger
from chargebook.mqtt.discovery import charger_discovery, owner_discovery
from chargebook.mqtt.topics import Topics

from .ha_schema import TOPIC, problems

TOPICS = Topics("chargebook", "homeassistant")
NOW = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)


def stored(charger_id: int = 7, **changes: object) -> StoredCharger:
    return StoredCharger(
        id=charger_id,
        charger=example_charger("70001", **changes),
        account_id=1,
        owner_user_id=3,
        created_at=NOW,
        updated_at=NOW,
    )


def component_of(topic: str) -> str:
    return topic.split("/")[1]


def announced(features: frozenset[ControlFeature], *, commands: bool = True) -> list[Any]:
    return charger_discovery(TOPICS, stored(), features, commands=commands)


def test_every_charger_entity_passes_home_assistants_schema() -> None:
    found = announced(frozenset(ControlFeature))
    components = sorted({component_of(topic) for topic, _ in found})
    assert components == ["binary_sensor", "lock", "number", "sensor", "switch"]
    for topic, payload in found:
        assert TOPIC.match(topic), topic
        assert payload is not None
        assert problems(component_of(topic), payload) == [], topic
        json.dumps(payload)  # what the bridge sends


def test_owner_credit_entities_pass_home_assistants_schema() -> None:
    for topic, payload in owner_discovery(TOPICS, 3):
        assert TOPIC.match(topic), topic
        assert problems(component_of(topic), payload or {}) == [], topic


def test_the_schema_catches_what_home_assistant_refuses() -> None:
    """The checker is no rubber stamp: each of these breaks a documented rule."""
    sensor = {"state_topic": "t", "unique_id": "u", "device": {"identifiers": ["x"]}}
    assert problems("sensor", {**sensor, "device_class": "power", "unit_of_measurement": "kWh"})
    assert problems("sensor", {**sensor, "device_class": "energy", "state_class": "measurement",
                               "unit_of_measurement": "kWh"})  # fmt: skip
    assert problems("sensor", {**sensor, "colour": "red"})
    assert problems("sensor", {"unique_id": "u"})  # no state_topic
    assert problems("sensor", {**sensor, "device": {"name": "no identifiers"}})
    assert problems("number", {"command_topic": "t", "min": 6, "max": 6})
    assert problems("lock", {"state_topic": "t"})  # no command_topic
    assert problems("binary_sensor", {"state_topic": "t", "device_class": "cable"})


def test_the_energy_and_power_sensors_say_what_home_assistant_needs() -> None:
    payloads = {topic.split("/")[3]: payload for topic, payload in announced(frozenset())}
    assert payloads["power"]["device_class"] == "power"
    assert payloads["power"]["state_class"] == "measurement"
    assert payloads["power"]["unit_of_measurement"] == "kW"
    assert payloads["session_energy"]["device_class"] == "energy"
    assert payloads["session_energy"]["state_class"] == "total_increasing"
    assert payloads["session_energy"]["unit_of_measurement"] == "kWh"
    device = payloads["power"]["device"]
    assert device["identifiers"] == ["chargebook_charger_7"]
    assert (device["manufacturer"], device["model"], device["name"]) == (
        "Wallbox", "Pulsar Plus", "Garage 70001",
    )  # fmt: skip
    assert payloads["power"]["availability"] == [
        {"topic": "chargebook/status", "payload_available": "online",
         "payload_not_available": "offline"}
    ]  # fmt: skip


def test_the_current_limit_runs_from_6_a_to_the_chargers_maximum() -> None:
    numbers = [p for t, p in announced(frozenset(ControlFeature)) if component_of(t) == "number"]
    assert [(n["min"], n["max"], n["step"]) for n in numbers] == [(6, 32, 1)]
    assert numbers[0]["command_topic"] == "chargebook/charger/7/current_limit/set"
    assert numbers[0]["state_topic"] == "chargebook/charger/7/current_limit"


@pytest.mark.parametrize("commands", [True, False])
def test_a_control_the_system_lacks_is_removed_not_announced(commands: bool) -> None:
    """OCPP has no lock: its lock entity gets an empty config (removed in Home Assistant);
    with commands switched off every control is removed."""
    charger = stored(source=ChargerSource.OCPP)
    features = frozenset({ControlFeature.PAUSE_RESUME, ControlFeature.CURRENT})
    found = dict(charger_discovery(TOPICS, charger, features, commands=commands))
    lock = found["homeassistant/lock/chargebook_charger_7/lock/config"]
    switch = found["homeassistant/switch/chargebook_charger_7/charging/config"]
    assert lock is None
    assert (switch is not None) is commands


def test_a_second_chargebook_with_its_own_prefix_has_its_own_ids() -> None:
    garage = Topics("garage/chargebook", "homeassistant")
    (topic, payload), *_ = charger_discovery(garage, stored(), frozenset(), commands=True)
    assert topic == "homeassistant/sensor/garage_chargebook_charger_7/state/config"
    assert payload is not None
    assert payload["unique_id"] == "garage_chargebook_charger_7_state"
    assert payload["device"]["identifiers"] == ["garage_chargebook_charger_7"]
    assert payload["state_topic"] == "garage/chargebook/charger/7/state"
