"""Smart charging at run time: repeating plans, what the controller reads and commands, its
events and the savings it records. The planner's types are in `domain/prices.py`.

The controller commands a charger through the one `ChargerControl` port (`domain/ports.py`);
the database implements `RepeatingPlanStore` and `SavingsLog` here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chargebook.clock import ensure_utc
from chargebook.domain.prices import PlanOptions, Strategy

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Weekday numbers are Python's: 0 = Monday ... 6 = Sunday."""


@dataclass(frozen=True, slots=True)
class RepeatingPlan:
    """ "Every Mon-Fri, leave at 07:00 with 20 kWh more" for one charger.

    `departure` is a wall-clock time in `time_zone` (the charger's zone), so 07:00 stays 07:00
    across daylight-saving changes. The goal is either `energy_kwh` (grid kWh to add) or
    `target_soc_pct` (with `capacity_kwh`); see `smart.repeating.goal_for`.
    """

    weekdays: frozenset[int]
    departure: time
    time_zone: str = "Europe/Amsterdam"
    energy_kwh: float | None = None
    target_soc_pct: float | None = None
    capacity_kwh: float | None = None
    active: bool = True
    id: int | None = None
    # How to charge (the plan editor's choices); None/0 = the controller's defaults.
    strategy: Strategy = Strategy.CHEAPEST
    price_cap_eur_per_kwh: Decimal | None = None
    min_block_minutes: int = 0

    def __post_init__(self) -> None:
        if self.strategy is Strategy.PRICE_CAP and self.price_cap_eur_per_kwh is None:
            raise ValueError("a price-cap plan needs price_cap_eur_per_kwh")
        if not 0 <= self.min_block_minutes <= 240:
            raise ValueError("min_block_minutes must be between 0 and 240")
        if not self.weekdays or not self.weekdays <= frozenset(range(7)):
            raise ValueError("weekdays must be a non-empty subset of 0 (Mon) .. 6 (Sun)")
        if (self.energy_kwh is None) == (self.target_soc_pct is None):
            raise ValueError("a plan needs exactly one goal: energy_kwh or target_soc_pct")
        if self.energy_kwh is not None and self.energy_kwh <= 0:
            raise ValueError("energy_kwh must be positive")
        if self.target_soc_pct is not None:
            if not 0 < self.target_soc_pct <= 100:
                raise ValueError("target_soc_pct must be in (0, 100]")
            if self.capacity_kwh is None or self.capacity_kwh <= 0:
                raise ValueError("a state-of-charge goal needs the battery capacity_kwh")
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.time_zone!r}") from exc

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def plan_options(self, base: PlanOptions | None = None) -> PlanOptions:
        """`base` (the controller's options) with this plan's strategy, cap and minimum block."""
        return replace(
            base or PlanOptions(),
            strategy=self.strategy,
            price_cap_eur_per_kwh=self.price_cap_eur_per_kwh,
            min_block=timedelta(minutes=self.min_block_minutes),
        )

    def describe(self) -> str:
        """E.g. "mon,tue,fri 07:00 Europe/Amsterdam: 20 kWh"."""
        days = ",".join(WEEKDAY_NAMES[d] for d in sorted(self.weekdays))
        goal = (
            f"{self.energy_kwh:g} kWh"
            if self.energy_kwh is not None
            else f"{self.target_soc_pct:g} % of {self.capacity_kwh:g} kWh"
        )
        return f"{days} {self.departure:%H:%M} {self.time_zone}: {goal}"


@dataclass(frozen=True, slots=True)
class ChargerReading:
    """What the controller needs to know about a charger, read at `observed_at` (UTC).

    `session_energy_kwh` is the energy of the current (or last) session; `current_limit_a`
    is the charging current limit in A, None when the charger does not say.
    """

    charger_id: str
    observed_at: datetime
    car_connected: bool
    charging: bool
    paused: bool
    power_kw: float
    session_energy_kwh: float
    current_limit_a: float | None = None
    state_of_charge_pct: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "observed_at", ensure_utc(self.observed_at))


class EventKind(StrEnum):
    """What the controller reports (evcc's `planoverrun` is PLAN_OVERRUN)."""

    PLUGGED_IN = "plugged_in"
    UNPLUGGED = "unplugged"
    NO_GOAL = "no_goal"
    PLANNED = "planned"
    REPLANNED = "replanned"
    PRICES_UPDATED = "prices_updated"
    PRICES_UNAVAILABLE = "prices_unavailable"
    CHARGING_RESUMED = "charging_resumed"
    CHARGING_PAUSED = "charging_paused"
    CURRENT_SET = "current_set"
    WRITE_RETRIED = "write_retried"
    WRITE_UNCONFIRMED = "write_unconfirmed"
    COMMAND_FAILED = "command_failed"
    READ_FAILED = "read_failed"
    GOAL_REACHED = "goal_reached"
    PLAN_OVERRUN = "plan_overrun"
    SAVING_RECORDED = "saving_recorded"


WARNINGS = frozenset(
    {
        EventKind.PRICES_UNAVAILABLE,
        EventKind.WRITE_UNCONFIRMED,
        EventKind.COMMAND_FAILED,
        EventKind.READ_FAILED,
        EventKind.PLAN_OVERRUN,
    }
)


@dataclass(frozen=True, slots=True)
class ControllerEvent:
    """One thing the controller did or noticed, at `at` (UTC); `message` is for people."""

    at: datetime
    charger_id: str
    kind: EventKind
    message: str

    @property
    def warning(self) -> bool:
        return self.kind in WARNINGS


@dataclass(frozen=True, slots=True)
class SessionSaving:
    """What smart charging saved on one plugged-in period, in EUR (all-in prices).

    `charge_now_cost_eur` is what the same energy would have cost charged at full power from
    plug-in; `cost_complete` is False when some energy fell in quarters without a price.
    """

    charger_id: str
    plugged_in_at: datetime
    unplugged_at: datetime
    energy_kwh: Decimal
    actual_cost_eur: Decimal
    charge_now_cost_eur: Decimal
    cost_complete: bool = True

    @property
    def saving_eur(self) -> Decimal:
        return self.charge_now_cost_eur - self.actual_cost_eur


class RepeatingPlanStore(Protocol):
    """The repeating plans of a charger (by the charger's external id)."""

    def repeating_plans(self, charger_id: str) -> list[RepeatingPlan]: ...


class SavingsLog(Protocol):
    """Keeps the per-session savings history (idempotent per charger and plug-in time)."""

    def record_saving(self, saving: SessionSaving) -> None: ...
