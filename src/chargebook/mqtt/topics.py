"""The bridge's topic names, in one place.

    <prefix>/status                          online / offline (birth and last will, retained)
    <prefix>/charger/<book id>/<key>         a charger's state values (retained)
    <prefix>/charger/<book id>/<key>/set     commands (charging ON/OFF, lock LOCK/UNLOCK,
                                             current_limit <amps>)
    <prefix>/charger/<book id>/ack           the last command's answer (JSON, retained)
    <prefix>/owner/<user id>/credits         the owner's credits of this quarter (JSON)
    <discovery prefix>/<component>/<node>/<object>/config    Home Assistant discovery

A charger is named by its book id (the id `chargebook chargers list` shows): stable across
renames, and never a secret or a personal detail.
"""

from __future__ import annotations

from dataclasses import dataclass

# The state keys that take a command, and the command topic's last level.
COMMAND_KEYS = ("charging", "lock", "current_limit")
SET = "set"


@dataclass(frozen=True, slots=True)
class Topics:
    prefix: str
    discovery_prefix: str

    @property
    def status(self) -> str:
        return f"{self.prefix}/status"

    @property
    def home_assistant_status(self) -> str:
        """Where Home Assistant announces itself (`online` after a restart)."""
        return f"{self.discovery_prefix}/status"

    def charger(self, charger_id: int, key: str) -> str:
        return f"{self.prefix}/charger/{charger_id}/{key}"

    def command(self, charger_id: int, key: str) -> str:
        return f"{self.prefix}/charger/{charger_id}/{key}/{SET}"

    def ack(self, charger_id: int) -> str:
        return self.charger(charger_id, "ack")

    def owner(self, owner_id: int, key: str) -> str:
        return f"{self.prefix}/owner/{owner_id}/{key}"

    @property
    def commands(self) -> str:
        """The subscription that receives every command (one `+` per free level)."""
        return f"{self.prefix}/charger/+/+/{SET}"

    def config(self, component: str, node: str, object_id: str) -> str:
        return f"{self.discovery_prefix}/{component}/{node}/{object_id}/config"

    def parse_command(self, topic: str) -> tuple[str, str] | None:
        """(charger id as written, key) of a command topic; None for any other topic."""
        head = f"{self.prefix}/charger/"
        if not topic.startswith(head):
            return None
        levels = topic[len(head) :].split("/")
        if len(levels) != 3 or levels[2] != SET:
            return None
        return levels[0], levels[1]
