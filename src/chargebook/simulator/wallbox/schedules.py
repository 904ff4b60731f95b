"""Charging schedules (reference §2.8): positional slots with local `HHMM` start/stop times.

A charger with at least one enabled schedule only charges inside a schedule window, unless the
user resumed the session by hand (action 1); action 9 hands control back to the schedule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from chargebook.simulator.wallbox.sessions import LOCAL_ZONE

DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_SCHEDULES = 4


class ScheduleError(ValueError):
    """The schedules body is malformed (the API answers 400)."""


@dataclass(frozen=True)
class Schedule:
    id: int
    enable: int
    max_current: int
    max_energy: int
    days: tuple[bool, ...]  # Monday first
    start: str  # HHMM local
    stop: str

    def to_wire(self, charger_id: int) -> dict[str, Any]:
        return {
            "id": self.id,
            "chargerId": charger_id,
            "enable": self.enable,
            "max_current": self.max_current,
            "max_energy": self.max_energy,
            "days": dict(zip(DAY_NAMES, self.days, strict=True)),
            "start": self.start,
            "stop": self.stop,
        }


def _hhmm(value: object) -> str:
    text = str(value)
    if len(text) != 4 or not text.isdigit() or int(text[:2]) > 23 or int(text[2:]) > 59:
        raise ScheduleError(f"time must be HHMM, got {text!r}")
    return text


def parse_schedules(body: object) -> tuple[Schedule, ...]:
    """Validate a `{"schedules": [...]}` body; raises ScheduleError when malformed."""
    if not isinstance(body, dict) or not isinstance(body.get("schedules"), list):
        raise ScheduleError("body must be {'schedules': [...]}")
    items = body["schedules"]
    if len(items) > MAX_SCHEDULES:
        raise ScheduleError(f"at most {MAX_SCHEDULES} schedules")
    result: list[Schedule] = []
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            raise ScheduleError("each schedule must be an object")
        days = item.get("days", {})
        if not isinstance(days, dict):
            raise ScheduleError("days must be an object")
        try:
            result.append(
                Schedule(
                    id=position,  # schedules are positional: the id is the slot index
                    enable=1 if item.get("enable") in (1, True, "1") else 0,
                    max_current=int(item.get("max_current", 0)),
                    max_energy=int(item.get("max_energy", 0)),
                    days=tuple(bool(days.get(name, False)) for name in DAY_NAMES),
                    start=_hhmm(item.get("start")),
                    stop=_hhmm(item.get("stop")),
                )
            )
        except (TypeError, ValueError) as exc:
            raise ScheduleError(str(exc)) from exc
    return tuple(result)


def _minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[2:])


def _in_window(schedule: Schedule, local: datetime) -> bool:
    start, stop = _minutes(schedule.start), _minutes(schedule.stop)
    minute = local.hour * 60 + local.minute
    today = schedule.days[local.weekday()]
    if start < stop:
        return today and start <= minute < stop
    yesterday = schedule.days[(local.weekday() - 1) % 7]  # a window past midnight
    return (today and minute >= start) or (yesterday and minute < stop)


def blocked_by_schedule(schedules: tuple[Schedule, ...], moment: datetime) -> bool:
    """True when enabled schedules exist and `moment` is outside all their windows."""
    enabled = [s for s in schedules if s.enable]
    if not enabled:
        return False
    local = moment.astimezone(LOCAL_ZONE)
    return not any(_in_window(s, local) for s in enabled)


def boundaries(schedules: tuple[Schedule, ...], start: datetime, end: datetime) -> list[datetime]:
    """UTC instants in [start, end] where an enabled schedule window opens or closes."""
    enabled = [s for s in schedules if s.enable]
    if not enabled:
        return []
    result: list[datetime] = []
    day = start.astimezone(LOCAL_ZONE).date() - timedelta(days=1)
    last = end.astimezone(LOCAL_ZONE).date() + timedelta(days=1)
    while day <= last:
        for schedule in enabled:
            for hhmm in (schedule.start, schedule.stop):
                local = datetime.combine(day, time(int(hhmm[:2]), int(hhmm[2:])), LOCAL_ZONE)
                moment = local.astimezone(UTC)
                if start <= moment <= end:
                    result.append(moment)
        day += timedelta(days=1)
    return result
