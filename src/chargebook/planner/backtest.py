"""Replay a typical overnight goal over recorded prices: what would smart charging have saved?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from chargebook.domain.prices import ChargeGoal, ChargerLimits, PlanOptions, PriceCurve
from chargebook.planner.planner import preview_plan


@dataclass(frozen=True, slots=True)
class BacktestNight:
    """One night: plug in on `plug_in_date`, leave the next morning. Money in EUR."""

    plug_in_date: date
    plan_cost_eur: Decimal
    charge_now_cost_eur: Decimal
    saving_eur: Decimal

    @property
    def saving_pct(self) -> Decimal:
        """The saving as a percentage of the charge-now cost (0 if that cost is not positive)."""
        if self.charge_now_cost_eur <= 0:
            return Decimal(0)
        return (self.saving_eur / self.charge_now_cost_eur * 100).quantize(Decimal("0.1"))


def backtest_overnight(
    curve: PriceCurve,
    *,
    energy_kwh: float = 20.0,
    plug_in: time = time(18, 0),
    departure: time = time(7, 0),
    limits: ChargerLimits | None = None,
    options: PlanOptions | None = None,
    tz: ZoneInfo | None = None,
) -> list[BacktestNight]:
    """Plan every night that the curve fully covers and compare with charging at once.

    Args:
        curve: recorded prices (e.g. a few days from a file).
        energy_kwh: the energy needed each night.
        plug_in, departure: local wall-clock times in `tz` (default Europe/Amsterdam);
            departure is on the next day.
        limits: the charger (default 11 kW).
        options: the strategy (default cheapest slots, all-in prices).

    Returns:
        One `BacktestNight` per covered night, in date order (empty if none is covered).
    """
    zone = tz or ZoneInfo("Europe/Amsterdam")
    charger = limits or ChargerLimits(max_power_kw=11.0)
    if not curve.slots:
        return []
    nights: list[BacktestNight] = []
    day = curve.slots[0].start.astimezone(zone).date() - timedelta(days=1)
    last_day = curve.slots[-1].end.astimezone(zone).date()
    while day <= last_day:
        start = datetime.combine(day, plug_in, tzinfo=zone).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), departure, tzinfo=zone).astimezone(UTC)
        window = curve.window(start, end)
        if window.complete:
            goal = ChargeGoal(energy_kwh=energy_kwh, departure=end)
            preview = preview_plan(goal, charger, window, now=start, options=options)
            nights.append(
                BacktestNight(
                    plug_in_date=day,
                    plan_cost_eur=preview.plan.cost_eur,
                    charge_now_cost_eur=preview.charge_now.cost_eur,
                    saving_eur=preview.saving_eur,
                )
            )
        day += timedelta(days=1)
    return nights
