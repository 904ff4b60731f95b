"""API schemas of smart-charging plans (`/api/v1/chargers/{id}/plan`): kept beside
`web/schemas.py` so the plan editor's API does not grow that shared module."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from chargebook.domain.prices import Strategy
from chargebook.domain.smart import RepeatingPlan

_HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class PlanIn(BaseModel):
    """A repeating plan: a goal (energy, or a state of charge with the battery's capacity) by a
    departure time on some weekdays, and how to charge. Times are the charger's local time."""

    energy_kwh: float | None = Field(default=None, gt=0, le=200, allow_inf_nan=False)
    target_soc_pct: float | None = Field(default=None, gt=0, le=100, allow_inf_nan=False)
    capacity_kwh: float | None = Field(default=None, ge=1, le=300, allow_inf_nan=False)
    departure: str = Field(pattern=_HHMM, examples=["07:00"])
    weekdays: list[int] = Field(
        min_length=1, max_length=7, description="0 = Monday ... 6 = Sunday", examples=[[0, 1, 2]]
    )
    strategy: Strategy = Strategy.CHEAPEST
    price_cap_eur_per_kwh: Decimal | None = Field(
        default=None, ge=-1, le=10, max_digits=12, description="For strategy price_cap"
    )
    min_block_minutes: Literal[0, 30, 45, 60] = 0
    active: bool = True

    @model_validator(mode="after")
    def _one_goal(self) -> PlanIn:
        if (self.energy_kwh is None) == (self.target_soc_pct is None):
            raise ValueError("give exactly one goal: energy_kwh or target_soc_pct")
        if self.target_soc_pct is not None and self.capacity_kwh is None:
            raise ValueError("a target_soc_pct goal needs capacity_kwh")
        if self.strategy is Strategy.PRICE_CAP and self.price_cap_eur_per_kwh is None:
            raise ValueError("strategy price_cap needs price_cap_eur_per_kwh")
        if any(not 0 <= day <= 6 for day in self.weekdays):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
        return self


class PlanOut(PlanIn):
    """A stored plan with its id and time zone."""

    id: int
    time_zone: str

    @classmethod
    def of(cls, plan: RepeatingPlan) -> PlanOut:
        assert plan.id is not None
        return cls(
            id=plan.id,
            time_zone=plan.time_zone,
            energy_kwh=plan.energy_kwh,
            target_soc_pct=plan.target_soc_pct,
            capacity_kwh=plan.capacity_kwh if plan.target_soc_pct is not None else None,
            departure=plan.departure.strftime("%H:%M"),
            weekdays=sorted(plan.weekdays),
            strategy=plan.strategy,
            price_cap_eur_per_kwh=plan.price_cap_eur_per_kwh,
            min_block_minutes=plan.min_block_minutes,
            active=plan.active,
        )


class ChargerPlanOut(BaseModel):
    """A charger's plan; `plan` is null while smart charging is off for it."""

    charger_id: int
    plan: PlanOut | None


class PreviewSlotOut(BaseModel):
    """One 15-minute slot until departure: prices in EUR/kWh (null = not published yet) and
    the energy the plan charges in it."""

    start: datetime
    market_eur_per_kwh: Decimal | None
    all_in_eur_per_kwh: Decimal | None
    planned_kwh: float


class PlanPreviewOut(BaseModel):
    """The planner's preview for the plan's next departure: costs in EUR at all-in prices."""

    departure: datetime
    time_zone: str
    status: str = Field(description="optimised, partial_prices, no_prices, not_enough_time, ...")
    energy_kwh: float
    planned_kwh: float
    shortfall_kwh: float
    cost_eur: Decimal
    charge_now_cost_eur: Decimal
    saving_eur: Decimal
    cost_complete: bool
    prices_complete: bool = Field(description="false: no prices for tomorrow yet")
    prices_known_until: datetime | None
    state_message: str | None
    price_source: str | None = Field(
        None, description="where the prices come from, e.g. energyzero (None: no answer)"
    )
    notes: list[str]
    slots: list[PreviewSlotOut]
