"""The plan editor's service: read the editor's fields, preview a plan with the planner, and
store it as the charger's repeating plan.

One charger has one plan in the editor (the book allows several; the CLI manages those):
saving replaces the charger's plans. Only the charger's owner may see or change its plan, an
operator included: anyone else gets the same 404 as for a charger that does not exist.

The preview is `planner.preview_plan` for the plan's next departure, with the charger's limits
and the app's price source, plus every quarter's market and all-in price for the chart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from chargebook.book.service import BOOK_ZONE, BookService
from chargebook.clock import Clock
from chargebook.db import SqlSession
from chargebook.db.smart.repository import SmartPlanRepository
from chargebook.domain.access import Viewer
from chargebook.domain.prices import (
    SLOT,
    PlanPreview,
    PlanStatus,
    PriceCurve,
    PriceSource,
    Strategy,
    floor_to_slot,
)
from chargebook.domain.smart import WEEKDAY_NAMES, RepeatingPlan
from chargebook.domain.stored import StoredCharger
from chargebook.errors import ChargebookError, NotFoundError
from chargebook.planner import Feasibility, explain, goal_feasibility, preview_plan
from chargebook.smart import goal_for, next_departure
from chargebook.smart.limits import charger_limits
from chargebook.web.errors import InvalidInputError

DEFAULT_ZONE = BOOK_ZONE.key
MIN_BLOCKS = (0, 30, 45, 60)
NO_PRICES_MESSAGE = (
    "No prices for tomorrow yet. Day-ahead prices are published around 13:00 CET; until "
    "then the plan charges in the known quarters first and the rest just before departure."
)


def default_plan(zone: str = DEFAULT_ZONE) -> RepeatingPlan:
    """What a new editor shows: 20 kWh by 07:00 on weekdays, cheapest quarters."""
    return RepeatingPlan(
        weekdays=frozenset(range(5)), departure=time(7, 0), time_zone=zone, energy_kwh=20.0
    )


def own_charger(session: SqlSession, viewer: Viewer, charger_id: int) -> StoredCharger:
    """The viewer's own charger (operators too see only their own here).

    Raises:
        NotFoundError: no such charger, or not the viewer's (an earlier owner's row of a
            transferred charger is not theirs to plan: the charger is the new owner's).
    """
    charger = BookService(session, viewer).get_charger(charger_id)
    if charger.owner_user_id != viewer.user.id or charger.transferred:
        raise NotFoundError(f"no charger with id {charger_id}")
    return charger


def stored_plan(session: SqlSession, clock: Clock, charger: StoredCharger) -> RepeatingPlan | None:
    """The charger's plan (the newest if the CLI added several), or None."""
    plans = [plan for _, plan in SmartPlanRepository(session, clock).list(charger.id)]
    return plans[-1] if plans else None


def save_plan(
    session: SqlSession, clock: Clock, charger: StoredCharger, plan: RepeatingPlan
) -> RepeatingPlan:
    """Replace the charger's plans with `plan`; returns it with its id (caller commits)."""
    repository = SmartPlanRepository(session, clock)
    for _, old in repository.list(charger.id):
        assert old.id is not None
        repository.remove(old.id)
    return repository.add(charger.id, plan)


def remove_plans(session: SqlSession, clock: Clock, charger: StoredCharger) -> int:
    """Delete the charger's plans (smart charging off); returns how many there were."""
    repository = SmartPlanRepository(session, clock)
    removed = 0
    for _, old in repository.list(charger.id):
        assert old.id is not None
        removed += repository.remove(old.id)
    return removed


# -- the editor's fields ---------------------------------------------------------------------


def _number(fields: Mapping[str, str], name: str, label: str) -> Decimal | None:
    text = (fields.get(name) or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidInputError(f"enter a number for {label}", field=name) from None
    if not value.is_finite() or abs(value) > 10_000:
        raise InvalidInputError(f"enter a number for {label}", field=name)
    return value


def plan_from_fields(fields: Mapping[str, str], zone: str) -> RepeatingPlan:
    """A plan from the editor's form (or query) fields.

    Fields: goal ("energy" or "soc"), energy_kwh, target_soc_pct, capacity_kwh, departure
    ("HH:MM"), weekday (repeated 0..6, 0 = Monday, in `weekdays` as "0,1,2" too), strategy,
    price_cap (EUR/kWh), min_block (minutes), active ("on"/"true").

    Raises:
        InvalidInputError: a missing or out-of-range field (`field` names it).
    """
    goal = fields.get("goal", "energy")
    energy = _number(fields, "energy_kwh", "the energy")
    soc = _number(fields, "target_soc_pct", "the state of charge")
    capacity = _number(fields, "capacity_kwh", "the battery capacity")
    if goal == "soc":
        if soc is None or not 0 < soc <= 100:
            raise InvalidInputError("the state of charge is a % up to 100", field="target_soc_pct")
        if capacity is None or not 1 <= capacity <= 300:
            raise InvalidInputError(
                "enter the battery capacity (1 to 300 kWh)", field="capacity_kwh"
            )
        energy = None
    else:
        if energy is None or not 0 < energy <= 200:
            raise InvalidInputError("enter the energy to add (up to 200 kWh)", field="energy_kwh")
        soc = capacity = None
    try:
        departure = time.fromisoformat((fields.get("departure") or "").strip()[:5])
    except ValueError:
        raise InvalidInputError("enter the departure as HH:MM", field="departure") from None
    weekdays = _weekdays(fields)
    try:
        strategy = Strategy(fields.get("strategy", Strategy.CHEAPEST.value))
    except ValueError:
        raise InvalidInputError("choose a strategy", field="strategy") from None
    cap = _number(fields, "price_cap", "the price cap")
    if strategy is Strategy.PRICE_CAP:
        if cap is None or not -1 <= cap <= 10:
            raise InvalidInputError("enter the price cap in € per kWh", field="price_cap")
    else:
        cap = None
    block_text = (fields.get("min_block") or "0").strip()
    if not _small_number(block_text) or int(block_text) not in MIN_BLOCKS:
        raise InvalidInputError("choose a minimum slot length", field="min_block")
    return RepeatingPlan(
        weekdays=weekdays,
        departure=departure,
        time_zone=zone,
        energy_kwh=float(energy) if energy is not None else None,
        target_soc_pct=float(soc) if soc is not None else None,
        capacity_kwh=float(capacity) if capacity is not None else None,
        active=(fields.get("active", "on") or "").lower() in ("on", "true", "1", "yes"),
        strategy=strategy,
        price_cap_eur_per_kwh=cap,
        min_block_minutes=int(block_text),
    )


def _small_number(text: str) -> bool:
    """ASCII digits, at most 4 (str.isdigit() alone takes "²", which int() refuses)."""
    return text.isascii() and text.isdigit() and len(text) <= 4


def _weekdays(fields: Mapping[str, str]) -> frozenset[int]:
    raw = fields.get("weekdays", "")
    parts = [p for p in raw.split(",") if p.strip()]
    days: set[int] = set()
    for part in parts:
        part = part.strip()
        if not _small_number(part) or int(part) > 6:
            raise InvalidInputError("weekdays are 0 (Monday) to 6 (Sunday)", field="weekday")
        days.add(int(part))
    if not days:
        raise InvalidInputError("choose at least one day", field="weekday")
    return frozenset(days)


def fields_of(plan: RepeatingPlan) -> dict[str, Any]:
    """The editor's field values for a plan (the inverse of `plan_from_fields`)."""
    return {
        "goal": "soc" if plan.target_soc_pct is not None else "energy",
        "energy_kwh": f"{plan.energy_kwh:g}" if plan.energy_kwh is not None else "20",
        "target_soc_pct": f"{plan.target_soc_pct:g}" if plan.target_soc_pct is not None else "80",
        "capacity_kwh": f"{plan.capacity_kwh:g}" if plan.capacity_kwh is not None else "60",
        "departure": plan.departure.strftime("%H:%M"),
        "weekdays": sorted(plan.weekdays),
        "strategy": plan.strategy.value,
        "price_cap": (
            f"{plan.price_cap_eur_per_kwh.normalize():f}"
            if plan.price_cap_eur_per_kwh is not None
            else "0.25"
        ),
        "min_block": plan.min_block_minutes,
        "active": plan.active,
    }


# -- the preview ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChartSlot:
    """One quarter of the chart: its prices (EUR/kWh, None = not published) and the plan."""

    start: datetime
    market_eur_per_kwh: Decimal | None
    all_in_eur_per_kwh: Decimal | None
    planned_kwh: float


@dataclass(frozen=True, slots=True)
class EditorPreview:
    """The planner's preview for the plan's next departure, with the chart's quarters."""

    departure: datetime
    time_zone: str
    preview: PlanPreview
    slots: tuple[ChartSlot, ...]
    prices_complete: bool
    prices_known_until: datetime | None
    price_error: str | None = None
    price_source: str | None = None  # the curve's source name; the demo's says "recorded"
    feasibility: Feasibility | None = None

    @property
    def goal_message(self) -> str | None:
        """Why the goal cannot be met and what can (the planner's one answer), or None."""
        if self.feasibility is None:
            return None
        return explain(self.feasibility, self.time_zone)

    @property
    def no_prices_for_tomorrow(self) -> bool:
        return not self.prices_complete

    @property
    def state_message(self) -> str | None:
        """The "no prices yet" state, or None when every quarter has a price."""
        if self.price_error is not None:
            return f"Prices are unavailable right now ({self.price_error}). {NO_PRICES_MESSAGE}"
        if self.prices_complete:
            return None
        if self.prices_known_until is None:
            return NO_PRICES_MESSAGE
        known = self.prices_known_until.astimezone(ZoneInfo(self.time_zone))
        return f"{NO_PRICES_MESSAGE} Prices are known until {known:%a %H:%M}."

    @property
    def notes(self) -> list[str]:
        """The planner's notes without those the messages above the chart already say."""
        said = (
            ("prices known until", "the goal cannot be met")
            if self.goal_message
            else ("prices known until",)
        )
        return [n for n in self.preview.notes if not n.startswith(said)]

    def to_json(self) -> dict[str, Any]:
        """What the editor's script and the API return (money as strings, times ISO 8601)."""
        plan, now_plan = self.preview.plan, self.preview.charge_now
        return {
            "departure": self.departure.isoformat(),
            "time_zone": self.time_zone,
            "status": plan.status.value,
            "energy_kwh": round(plan.goal.energy_kwh, 3),
            "planned_kwh": round(plan.energy_kwh, 3),
            "shortfall_kwh": round(plan.shortfall_kwh, 3),
            "cost_eur": str(plan.cost_eur),
            "charge_now_cost_eur": str(now_plan.cost_eur),
            "saving_eur": str(self.preview.saving_eur),
            "cost_complete": plan.cost_complete and now_plan.cost_complete,
            "prices_complete": self.prices_complete,
            "prices_known_until": (
                self.prices_known_until.isoformat() if self.prices_known_until else None
            ),
            "state_message": self.state_message,
            "goal_message": self.goal_message,
            "price_source": self.price_source,
            "notes": self.notes,
            "slots": [
                {
                    "start": s.start.isoformat(),
                    "market_eur_per_kwh": _str(s.market_eur_per_kwh),
                    "all_in_eur_per_kwh": _str(s.all_in_eur_per_kwh),
                    "planned_kwh": round(s.planned_kwh, 4),
                }
                for s in self.slots
            ],
        }


def _str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


async def build_preview(
    plan: RepeatingPlan, charger: StoredCharger, prices: PriceSource, now: datetime
) -> EditorPreview:
    """Preview `plan` for its next departure after `now` (UTC-aware).

    A price source that cannot answer is shown as the "no prices" state (the planner then
    finishes just in time), never as an error page.
    """
    departure = next_departure(plan, now)
    goal = goal_for(plan, departure)
    curve: PriceCurve | None = None
    error: str | None = None
    try:
        curve = await prices.get_prices(floor_to_slot(now), departure)
    except ChargebookError as exc:
        error = exc.message
    limits = charger_limits(charger)
    preview = preview_plan(goal, limits, curve, now=now, options=plan.plan_options())
    by_start = {s.start: s for s in curve.slots} if curve is not None else {}
    planned: dict[datetime, float] = {}
    for slot in preview.plan.slots:
        quarter = floor_to_slot(slot.start)
        planned[quarter] = planned.get(quarter, 0.0) + slot.energy_kwh
    chart: list[ChartSlot] = []
    quarter = floor_to_slot(now)
    while quarter < departure:
        price = by_start.get(quarter)
        chart.append(
            ChartSlot(
                quarter,
                price.market_eur_per_kwh if price else None,
                price.all_in_eur_per_kwh if price else None,
                planned.get(quarter, 0.0),
            )
        )
        quarter += SLOT
    complete = (
        curve is not None and curve.complete and preview.plan.status is not (PlanStatus.NO_PRICES)
    )
    return EditorPreview(
        departure=departure,
        time_zone=plan.time_zone,
        preview=preview,
        slots=tuple(chart),
        prices_complete=complete,
        prices_known_until=curve.known_until if curve is not None else None,
        price_error=error,
        price_source=curve.source if curve is not None else None,
        feasibility=goal_feasibility(goal, limits, now=now),
    )


def weekday_choices() -> list[tuple[int, str]]:
    """(number, short name) for the editor's day toggles, Monday first."""
    return [(number, name.capitalize()) for number, name in enumerate(WEEKDAY_NAMES)]
