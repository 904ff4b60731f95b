"""`chargebook prices show` and `chargebook plan`: day-ahead prices and a charging preview."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from chargebook.cli import params
from chargebook.cli.console import plain_console, styled
from chargebook.cli.errors import cli_errors
from chargebook.cli.price_coverage import file_span, partial_note, require_some_prices
from chargebook.clock import SystemClock
from chargebook.db import open_database
from chargebook.db.smart.store import DatabasePriceCache
from chargebook.domain.display import eur_per_kwh_text, eur_text, kwh_number
from chargebook.domain.prices import (
    ChargeGoal,
    ChargerLimits,
    PlanOptions,
    PlanPreview,
    PriceCache,
    PriceCurve,
    PriceSource,
    Strategy,
)
from chargebook.domain.tariffs import TariffSchedule
from chargebook.errors import ChargebookError, ConfigurationError
from chargebook.planner import preview_plan
from chargebook.prices import (
    CachedPriceSource,
    EnergyZeroPriceSource,
    EntsoePriceSource,
    FallbackPriceSource,
    FilePriceSource,
    local_day_window,
)
from chargebook.prices.tariffed import TariffedPriceSource, fixed_schedule
from chargebook.settings import load_settings
from chargebook.tariffs.service import default_tariff

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
prices_app = typer.Typer(help="Day-ahead electricity prices.", no_args_is_help=True)


class SourceName(StrEnum):
    AUTO = "auto"
    ENERGYZERO = "energyzero"
    ENTSOE = "entsoe"
    FILE = "file"


_SOURCE = typer.Option("auto", "--source", help="auto, energyzero, entsoe or file.")
_FILE = typer.Option(None, "--prices-file", help="Recorded EnergyZero JSON.")
_CACHE = typer.Option(True, "--cache/--no-cache", help="Keep fetched prices in the database.")
_STRATEGY = typer.Option("cheapest", "--strategy", help="cheapest, continuous or price_cap.")


def _source(
    name: SourceName, prices_file: Path | None, cache: PriceCache | None = None
) -> PriceSource:
    """The chosen source; network sources are each cached under their own name."""
    if prices_file is not None or name is SourceName.FILE:
        if prices_file is None:
            raise ConfigurationError("--source file needs --prices-file PATH")
        return FilePriceSource(prices_file)

    def cached(source: PriceSource) -> PriceSource:
        return source if cache is None else CachedPriceSource(source, cache)

    token = load_settings().entsoe_token
    entsoe = cached(EntsoePriceSource(security_token=token.get_secret_value() if token else ""))
    if name is SourceName.ENERGYZERO:
        return cached(EnergyZeroPriceSource())
    if name is SourceName.ENTSOE:
        return entsoe
    return FallbackPriceSource([cached(EnergyZeroPriceSource()), entsoe])


def _priced(source: PriceSource) -> PriceSource:
    """`source` priced at the default tariff (CHARGEBOOK_TARIFF_*: the CLI has no owner)."""
    schedule = TariffSchedule(default_tariff(load_settings()))
    return TariffedPriceSource(source, fixed_schedule(schedule))


@contextmanager
def _price_cache(enabled: bool) -> Iterator[PriceCache | None]:
    """The database's price cache (SQLite by default), or None if off or unavailable."""
    if not enabled:
        yield None
        return
    try:
        database = open_database(load_settings())
    except ChargebookError as exc:
        warning = styled(f"price cache unavailable: {exc.message}", "yellow")
        plain_console(stderr=True).print(warning)
        yield None
        return
    try:
        yield DatabasePriceCache(database, SystemClock())
    finally:
        database.dispose()


def _local(moment: datetime) -> str:
    return moment.astimezone(AMSTERDAM).strftime("%a %d %b %H:%M")


def _eur(value: Decimal) -> str:
    return eur_text(value)  # cents, as everywhere (`domain/display.py`)


def _now(now: str | None) -> datetime:
    if now is None:
        return SystemClock().now()
    parsed = datetime.fromisoformat(now)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=AMSTERDAM)


@prices_app.command("show")
def show(
    day: str = typer.Option(
        None, "--day", callback=params.day_text, help="Local date YYYY-MM-DD (default: today)."
    ),
    source: SourceName = _SOURCE,
    prices_file: Path | None = _FILE,
    cache: bool = _CACHE,
) -> None:
    """Print the quarter-hour prices of one local day (market and all-in, EUR/kWh).

    Fetched days are kept in the database (`price_slots`), so a day is fetched once."""
    with cli_errors():
        the_day = (
            date.fromisoformat(day) if day else SystemClock().now().astimezone(AMSTERDAM).date()
        )
        start, end = local_day_window(the_day)
        with _price_cache(cache and prices_file is None) as price_cache:
            chosen = _source(source, prices_file, price_cache)
            curve = asyncio.run(_priced(chosen).get_prices(start, end))
        held = _held(chosen)
        require_some_prices(curve, prices_file, held)
        print_curve(plain_console(), curve, the_day, partial_note(curve, prices_file, held))


def _held(source: PriceSource) -> tuple[datetime, datetime] | None:
    """What a recorded file holds; None for the network sources (they hold what is published)."""
    return file_span(source.recorded) if isinstance(source, FilePriceSource) else None


def print_curve(console: Console, curve: PriceCurve, day: date, note: str | None = None) -> None:
    """The curve's quarters (local start, market and all-in EUR/kWh) titled with its source;
    `note` says what the prices leave out (`price_coverage.partial_note`)."""
    table = Table(title=f"Prices {day.isoformat()} ({curve.source})")
    for column in ("start", "market €/kWh", "all-in €/kWh"):
        table.add_column(column, justify="right")
    for slot in curve.slots:
        table.add_row(
            _local(slot.start),
            eur_per_kwh_text(slot.market_eur_per_kwh),
            eur_per_kwh_text(slot.all_in_eur_per_kwh),
        )
    console.print(table)
    if note:
        console.print(styled(note, "yellow"))


def plan(
    energy: float = typer.Option(
        ..., "--energy", callback=params.energy_kwh, help="Energy to charge, kWh."
    ),
    by: str = typer.Option(
        ..., "--by", callback=params.time_of_day, help="Departure, local HH:MM (next occurrence)."
    ),
    max_power_kw: float = typer.Option(11.0, "--max-power-kw", callback=params.power_kw),
    strategy: Strategy = _STRATEGY,
    price_cap: float = typer.Option(
        None, "--price-cap", callback=params.price_per_kwh, help="EUR/kWh for price_cap."
    ),
    min_block_min: int = typer.Option(
        0, "--min-block", callback=params.minutes, help="Shortest on-period, minutes."
    ),
    source: SourceName = _SOURCE,
    prices_file: Path | None = _FILE,
    now: str = typer.Option(
        None, "--now", callback=params.moment_text, help="Pretend it is this local time (ISO)."
    ),
) -> None:
    """Preview the cheapest way to charge ENERGY kWh by a departure time."""
    with cli_errors():
        moment = _now(now)
        departure = next_departure(moment, by)
        with _price_cache(prices_file is None) as price_cache:
            chosen = _source(source, prices_file, price_cache)
            curve = asyncio.run(_priced(chosen).get_prices(moment, departure))
        held = _held(chosen)
        require_some_prices(curve, prices_file, held)
        options = PlanOptions(
            strategy=strategy,
            price_cap_eur_per_kwh=Decimal(str(price_cap)) if price_cap is not None else None,
            min_block=timedelta(minutes=min_block_min),
        )
        goal = ChargeGoal(energy_kwh=energy, departure=departure)
        preview = preview_plan(
            goal, ChargerLimits(max_power_kw=max_power_kw), curve, now=moment, options=options
        )
        print_preview(plain_console(), preview, partial_note(curve, prices_file, held))


def next_departure(moment: datetime, by: str) -> datetime:
    """The next local `by` (HH:MM, Europe/Amsterdam) after `moment`, as an aware datetime."""
    local = moment.astimezone(AMSTERDAM)
    departure = datetime.combine(local.date(), time.fromisoformat(by), tzinfo=AMSTERDAM)
    if departure <= local:
        departure += timedelta(days=1)
    return departure


def print_preview(console: Console, preview: PlanPreview, coverage: str | None = None) -> None:
    """The plan's slots as a table, then its cost, charging at once and the saving (EUR);
    `coverage` says what the prices leave out, in place of the planner's own notes on it."""
    goal = preview.plan.goal
    table = Table(
        title=f"Plan: {goal.energy_kwh:g} kWh by {_local(goal.departure)} ({preview.plan.status})"
    )
    for column in ("start", "end", "kW", "kWh", "€/kWh"):
        table.add_column(column, justify="right")
    for slot in preview.plan.slots:
        known = slot.price_eur_per_kwh is not None
        price = eur_per_kwh_text(slot.price_eur_per_kwh) if known else "?"
        table.add_row(
            _local(slot.start),
            _local(slot.end)[-5:],
            f"{slot.power_kw:.2f}",
            kwh_number(slot.energy_kwh),
            price,
        )
    console.print(table)
    console.print(
        f"Cost {_eur(preview.plan.cost_eur)}; "
        f"charging now {_eur(preview.charge_now.cost_eur)}; saving",
        styled(_eur(preview.saving_eur), "bold"),
    )
    for note in preview.notes:
        if coverage and (note.startswith("prices known until") or "no price yet" in note):
            continue  # said once, with the dates and how to get prices
        console.print(styled(note, "yellow"))
    if coverage:
        console.print(styled(coverage, "yellow"))
