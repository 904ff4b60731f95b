"""The demo tour's smart-charging step: tomorrow's prices and a plan, offline.

It shows what `chargebook prices show --day <tomorrow>` and `chargebook plan --energy 20
--by 07:00` print, with the same renderers (`cli/prices.py`), but on the recorded demo prices
(`chargebook.prices.demo`) replayed around the demo clock's today: the demo has no network.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.console import Console

from chargebook.cli.prices import AMSTERDAM, next_departure, print_curve, print_preview
from chargebook.clock import Clock
from chargebook.domain.prices import ChargeGoal, ChargerLimits, PlanPreview, PriceSource
from chargebook.planner import preview_plan
from chargebook.prices import local_day_window
from chargebook.prices.demo import DemoPriceSource

DEMO_PLAN_ENERGY_KWH = 20.0
DEMO_PLAN_BY = "07:00"
DEMO_PLAN_POWER_KW = 11.0  # the `chargebook plan` default


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
    console.print(f"$ chargebook prices show --day {tomorrow.isoformat()}")
    print_curve(console, await prices.get_prices(*local_day_window(tomorrow)), tomorrow)
    console.print(
        f"$ chargebook plan --energy {DEMO_PLAN_ENERGY_KWH:g} --by {DEMO_PLAN_BY}"
        f" --now {now.isoformat()}"
    )
    preview = await demo_plan(prices, now)
    print_preview(console, preview)
    return preview
