"""The demo tour's smart-charging step: tomorrow's prices and a plan, offline.

It shows what `chargebook prices show --day <tomorrow>` and `chargebook plan --energy 20
--by 07:00` print, with the same renderers (`cli/prices.py`), but on the recorded demo prices
(`chargebook.prices.demo`) replayed around the demo clock's today: the demo has no network.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from rich.console import Console
from rich.table import Table

from chargebook.cli.prices import AMSTERDAM, next_departure, print_preview
from chargebook.clock import Clock
from chargebook.domain.prices import (
    ChargeGoal,
    ChargerLimits,
    PlanPreview,
    PriceCurve,
    PriceSource,
)
from chargebook.planner import preview_plan
from chargebook.prices import local_day_window
from chargebook.prices.demo import DemoPriceSource

DEMO_PLAN_ENERGY_KWH = 20.0
DEMO_PLAN_BY = "07:00"
DEMO_PLAN_POWER_KW = 11.0  # the `chargebook plan` default
SUMMARY_HOURS = 3  # cheapest and dearest hours shown of the day's 24


def hourly_all_in(curve: PriceCurve) -> list[tuple[datetime, Decimal]]:
    """The curve's local hours (start, mean all-in EUR/kWh of its quarters), in time order."""
    quarters: dict[datetime, list[Decimal]] = defaultdict(list)
    for slot in curve.slots:
        local = slot.start.astimezone(AMSTERDAM)
        quarters[local.replace(minute=0, second=0, microsecond=0)].append(slot.all_in_eur_per_kwh)
    return [
        (hour, sum(prices, Decimal(0)) / len(prices)) for hour, prices in sorted(quarters.items())
    ]


def print_price_summary(console: Console, curve: PriceCurve, day: date) -> None:
    """A day's prices in a few lines: its cheapest and dearest hours and its mean (the full
    96 quarter hours are `chargebook prices show`'s job, not the tour's)."""
    hours = hourly_all_in(curve)
    if not hours:
        console.print(f"No prices for {day.isoformat()} ({curve.source}).")
        return
    by_price = sorted(hours, key=lambda hour: hour[1])
    table = Table(title=f"Prices {day.isoformat()} ({curve.source}), all-in €/kWh per hour")
    for column in ("cheapest hours", "€/kWh", "dearest hours", "€/kWh"):
        table.add_column(column, justify="right")
    count = min(SUMMARY_HOURS, len(by_price))
    for cheap, dear in zip(by_price[:count], reversed(by_price[-count:]), strict=True):
        table.add_row(_hour(cheap[0]), f"{cheap[1]:.3f}", _hour(dear[0]), f"{dear[1]:.3f}")
    console.print(table)
    mean = sum((price for _, price in hours), Decimal(0)) / len(hours)
    console.print(f"day mean {mean:.3f} €/kWh over {len(hours)} hours")


def _hour(start: datetime) -> str:
    return f"{start:%H:%M}-{start + timedelta(hours=1):%H:%M}"


async def demo_plan(prices: PriceSource, now: datetime) -> PlanPreview:
    """The preview `chargebook plan --energy 20 --by 07:00` makes at `now` on `prices`."""
    departure = next_departure(now, DEMO_PLAN_BY)
    curve = await prices.get_prices(now, departure)
    goal = ChargeGoal(energy_kwh=DEMO_PLAN_ENERGY_KWH, departure=departure)
    return preview_plan(goal, ChargerLimits(max_power_kw=DEMO_PLAN_POWER_KW), curve, now=now)


async def show_smart_charging(clock: Clock, console: Console) -> PlanPreview:
    """Print tomorrow's (recorded) prices and the 20 kWh-by-07:00 plan made now; return it."""
    prices = DemoPriceSource(clock)
    now = clock.now()
    console.print(
        f"Offline, so smart charging uses {prices.name}, replayed onto yesterday, today"
        " and tomorrow (real prices, not today's market)."
    )
    tomorrow = now.astimezone(AMSTERDAM).date() + timedelta(days=1)
    # Commands are printed whole (soft_wrap), never broken across lines, so they copy.
    console.print(
        f"$ chargebook prices show --day {tomorrow.isoformat()}",
        soft_wrap=True,
    )
    print_price_summary(console, await prices.get_prices(*local_day_window(tomorrow)), tomorrow)
    console.print(
        f"$ chargebook plan --energy {DEMO_PLAN_ENERGY_KWH:g} --by {DEMO_PLAN_BY}"
        f" --now {now.isoformat()}",
        soft_wrap=True,
    )
    preview = await demo_plan(prices, now)
    print_preview(console, preview)
    return preview
