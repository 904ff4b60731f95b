"""An MQTT command, read and checked before it reaches the charger-control port.

Who may command what: the bridge is one chargebook's, and whoever may publish on its
command topics (the broker's users and ACLs decide that) commands exactly the chargers the
bridge publishes: the current owners' chargers, limited to `CHARGEBOOK_MQTT_OWNERS` when it
is set. A command naming any other charger (unknown id, another owner's outside that list, an
earlier owner's row of a sold charger, an unclaimed OCPP charger) is refused without touching
it, and so is every command when `CHARGEBOOK_MQTT_COMMANDS=false`. What is then sent goes
through the web's command service, so its checks (current range, supported features,
transferred chargers) and the account's write budget apply as on the page and the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from chargebook.domain.stored import StoredCharger
from chargebook.errors import ChargebookError
from chargebook.mqtt.discovery import LOCK, OFF, ON, UNLOCK
from chargebook.mqtt.ports import Command
from chargebook.mqtt.reads import Scope


class CommandRefusedError(ChargebookError):
    """An MQTT command the bridge does not pass on (its message says why)."""


@dataclass(frozen=True, slots=True)
class CheckedCommand:
    charger: StoredCharger
    command: Command
    current_a: int | None = None


MAX_PAYLOAD = 16  # ON, OFF, LOCK, UNLOCK or a number of amperes
_SWITCH = {ON: Command.RESUME, OFF: Command.PAUSE}
_LOCK = {LOCK: Command.LOCK, UNLOCK: Command.UNLOCK}


def _current(payload: str) -> int:
    """Whole amperes; Home Assistant's number sends `16` (or `16.0` from a template)."""
    try:
        value = Decimal(payload)
    except InvalidOperation:
        raise CommandRefusedError("the current limit must be a number of amperes") from None
    if not value.is_finite() or value != value.to_integral_value():
        raise CommandRefusedError("the current limit must be whole amperes")
    return int(value)


def check_command(
    scope: Scope, charger_ref: str, key: str, payload: str, *, enabled: bool
) -> CheckedCommand:
    """The command a message on `<prefix>/charger/<charger_ref>/<key>/set` asks for.

    Raises:
        CommandRefusedError: commands are off, the charger is not one the bridge publishes,
            or the key or payload is not a command.
    """
    if not enabled:
        raise CommandRefusedError("commands over MQTT are switched off")
    numeric = charger_ref.isascii() and charger_ref.isdigit() and len(charger_ref) <= 18
    charger = scope.charger(int(charger_ref)) if numeric else None
    if charger is None:
        raise CommandRefusedError(f"charger {charger_ref[:40]!r} is not one this bridge controls")
    text = payload.strip()
    if len(text) > MAX_PAYLOAD:
        raise CommandRefusedError(f"a command is at most {MAX_PAYLOAD} characters")
    if key == "charging" and text.upper() in _SWITCH:
        return CheckedCommand(charger, _SWITCH[text.upper()])
    if key == "lock" and text.upper() in _LOCK:
        return CheckedCommand(charger, _LOCK[text.upper()])
    if key == "current_limit":
        return CheckedCommand(charger, Command.CURRENT, current_a=_current(text))
    raise CommandRefusedError(f"{key[:40]!r} does not take {text[:40]!r}")
