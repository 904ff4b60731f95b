"""What an MQTT command may ask, before anything reaches a charger: the bridge's scope, the
command topics' payloads, and commands switched off."""

from __future__ import annotations

import pytest

from chargebook.mqtt.commands import CommandRefusedError, check_command
from chargebook.mqtt.ports import Command
from chargebook.mqtt.reads import Scope

from .test_discovery import stored

SCOPE = Scope((stored(7),), (3,), ())


@pytest.mark.parametrize(
    ("key", "payload", "command", "current_a"),
    [
        ("charging", "OFF", Command.PAUSE, None),
        ("charging", "on", Command.RESUME, None),
        ("lock", "LOCK", Command.LOCK, None),
        ("lock", "UNLOCK", Command.UNLOCK, None),
        ("current_limit", "16", Command.CURRENT, 16),
        ("current_limit", "10.0", Command.CURRENT, 10),  # a template's float
    ],
)
def test_the_command_topics_payloads(
    key: str, payload: str, command: Command, current_a: int | None
) -> None:
    checked = check_command(SCOPE, "7", key, payload, enabled=True)
    assert (checked.charger.id, checked.command, checked.current_a) == (7, command, current_a)


@pytest.mark.parametrize(
    ("ref", "key", "payload", "why"),
    [
        ("8", "charging", "OFF", "not one this bridge controls"),  # not published
        ("²", "charging", "OFF", "not one this bridge controls"),  # a digit, not a number
        ("9" * 5000, "charging", "OFF", "not one this bridge controls"),
        ("7", "charging", "TOGGLE", "does not take"),
        ("7", "restart", "ON", "does not take"),  # not a command over MQTT
        ("7", "current_limit", "16.5", "whole amperes"),
        ("7", "current_limit", "NaN", "whole amperes"),
        ("7", "current_limit", "sixteen", "number of amperes"),
        ("7", "lock", "L" * 100, "at most"),
    ],
)
def test_what_is_refused(ref: str, key: str, payload: str, why: str) -> None:
    with pytest.raises(CommandRefusedError, match=why):
        check_command(SCOPE, ref, key, payload, enabled=True)


def test_every_command_is_refused_when_commands_are_off() -> None:
    with pytest.raises(CommandRefusedError, match="switched off"):
        check_command(SCOPE, "7", "charging", "OFF", enabled=False)
