"""The live part of `v3/chargers/groups` (camelCase): every charger's state in one read.

Kept apart from `chargers.py` (the static facts of the same payload) and tolerant: only the
charger id is required; a live field that is missing, null or of the wrong type is unknown.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, field_validator

from chargebook.domain.models import Charger, ChargerReading, ChargerState
from chargebook.wallbox.states import state_for
from chargebook.wallbox.wire.common import WireModel, from_epoch_s


def _number_or_none(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except ValueError:
        return None


class _LiveCharger(WireModel):
    id: int
    status: int | None = None
    charging_power_kw: float | None = Field(None, alias="chargingPower")
    added_energy_kwh: float | None = Field(None, alias="addedEnergy")
    last_sync: float | None = Field(None, alias="lastSync")

    @field_validator("charging_power_kw", "added_energy_kwh", "last_sync", mode="before")
    @classmethod
    def _tolerant(cls, value: Any) -> Any:
        return _number_or_none(value)

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> Any:
        number = _number_or_none(value)
        return int(number) if number is not None and number.is_integer() else None


class _LiveGroup(WireModel):
    chargers: list[_LiveCharger] = Field(default_factory=list)


class _LiveResult(WireModel):
    groups: list[_LiveGroup] = Field(default_factory=list)


class LiveGroupsResponse(WireModel):
    """`GET v3/chargers/groups`, read for the chargers' live state."""

    result: _LiveResult

    def readings(self, chargers: list[Charger], observed_at: datetime) -> list[ChargerReading]:
        """One reading per charger of `chargers` (the same payload's static facts)."""
        live: dict[str, _LiveCharger] = {}
        for group in self.result.groups:
            for item in group.chargers:
                first = live.setdefault(str(item.id), item)
                if first.status is None and item.status is not None:
                    live[str(item.id)] = item  # a nested group's copy may be the fuller one
        readings = []
        for charger in chargers:
            found = live.get(charger.external_id)
            code = found.status if found is not None else None
            readings.append(
                ChargerReading(
                    charger=charger,
                    observed_at=observed_at,
                    state=state_for(code) if code is not None else ChargerState.UNKNOWN,
                    status_code=code if code is not None else 0,
                    charging_power_kw=found.charging_power_kw if found else None,
                    session_energy_kwh=found.added_energy_kwh if found else None,
                    reported_at=_epoch(found.last_sync) if found else None,
                )
            )
        return readings


def _epoch(value: float | None) -> datetime | None:
    if not value or value <= 0:
        return None
    try:
        return from_epoch_s(value)
    except (OverflowError, ValueError, OSError):  # an absurd timestamp: unknown, not fatal
        return None
