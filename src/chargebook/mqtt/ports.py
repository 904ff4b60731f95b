"""What the bridge needs from its composition root: a charger's live state and the one
command service (the web app's lifespan gives both, `web.mqtt_door`; tests give fakes).

The bridge never builds a charger adapter itself: readings come from the same cache the
charger page shows (so the account's read budget is shared, not spent twice) and commands go
through the same checks and the same `ChargerControl` port as the page's and the API's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from chargebook.domain.control import ControlFeature
from chargebook.domain.stored import StoredCharger


class Command(StrEnum):
    """What MQTT may ask of a charger (the web's command names)."""

    PAUSE = "pause"
    RESUME = "resume"
    LOCK = "lock"
    UNLOCK = "unlock"
    CURRENT = "current"


@dataclass(frozen=True, slots=True)
class ChargerReading:
    """A charger's state now; None where its system does not say."""

    state: str  # a `domain.models.ChargerState` value
    power_kw: float | None
    energy_kwh: float | None  # this session's energy
    current_a: int | None  # the current limit set
    max_current_a: int | None
    locked: bool | None
    car_connected: bool | None
    observed_at: datetime | None
    live: bool  # False: power and energy are the book's last sample


class ChargerDoor(Protocol):
    """Live state and commands of book chargers."""

    async def reading(self, charger: StoredCharger) -> ChargerReading:
        """The charger's state now (or as recently as its budget allows); never raises for
        an unreachable charger (the reading says what it could)."""
        ...

    def features(self, charger: StoredCharger) -> frozenset[ControlFeature]:
        """The controls the charger's system supports here (no I/O)."""
        ...

    async def send(self, charger: StoredCharger, command: Command, current_a: int | None) -> None:
        """Send a command through the charger-control port.

        Raises:
            ChargebookError: refused (bad current, unsupported, transferred) or failed.
        """
        ...
