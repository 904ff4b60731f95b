"""Charging schedules (`GET|POST chargers/{id}/schedules`): positional slots, local HHMM."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from chargebook.domain.models import ChargeSchedule
from chargebook.wallbox.wire.common import WireModel

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class _Schedule(WireModel):
    id: int
    enable: bool
    start: str = Field(pattern=r"^\d{4}$")
    stop: str = Field(pattern=r"^\d{4}$")
    days: dict[str, bool] = Field(default_factory=dict)
    max_current: int = 0
    max_energy: int = 0

    def to_domain(self) -> ChargeSchedule:
        return ChargeSchedule(
            slot=self.id,
            enabled=self.enable,
            start_local=self.start,
            stop_local=self.stop,
            days=frozenset(day for day, on in self.days.items() if on and day in WEEKDAYS),
            max_current=self.max_current,
            max_energy=self.max_energy,
        )


class SchedulesResponse(WireModel):
    schedules: list[_Schedule]

    def to_domain(self) -> list[ChargeSchedule]:
        return [item.to_domain() for item in self.schedules]


def schedules_body(charger_id: str, schedules: list[ChargeSchedule]) -> dict[str, Any]:
    """The POST body for `schedules`, in the shape the API returns them."""
    return {
        "schedules": [
            {
                "id": item.slot,
                "chargerId": int(charger_id) if charger_id.isdigit() else charger_id,
                "enable": 1 if item.enabled else 0,
                "max_current": item.max_current,
                "max_energy": item.max_energy,
                "days": {day: day in item.days for day in WEEKDAYS},
                "start": item.start_local,
                "stop": item.stop_local,
            }
            for item in schedules
        ]
    }
