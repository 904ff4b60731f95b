"""`chargebook plan ...`: preview a plan (`plan --energy 20 --by 07:00`, as before), manage
repeating weekday plans per charger (`add`, `list`, `pause`, `resume`, `remove`), show the
savings history and backtest smart charging over recorded or cached prices."""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal
from pathlib import Path

import typer
from rich.table import Table

from chargebook.cli import params
from chargebook.cli import prices as prices_cli
from chargebook.cli.console import plain_console, styled
from chargebook.cli.errors import cli_errors
from chargebook.cli.refs import describe_charger, resolve_charger
from chargebook.clock import SystemClock
from chargebook.db import ChargerRepository, Database, open_database
from chargebook.db.smart.repository import PriceSlotRepository, SmartPlanRepository
from chargebook.db.smart.store import DatabaseSmartStore
from chargebook.domain.display import eur_text
from chargebook.domain.models import ChargerSource
from chargebook.domain.prices import (
    ChargerLimits,
    PlanOptions,
    PriceCurve,
    Strategy,
    build_curve,
)
from chargebook.domain.smart import WEEKDAY_NAMES, RepeatingPlan
from chargebook.domain.stored import StoredCharger
from chargebook.errors import ConfigurationError, NotFoundError
from chargebook.planner import BacktestNight, backtest_overnight
from chargebook.prices import load_price_file
from chargebook.settings import load_settings

plan_app = typer.Typer(
    help="Smart charging plans: preview, repeating weekday plans, savings, backtest."
)

_CHARGER = typer.Option(
    ...,
    "--charger",
    callback=params.reference,
    help="The charger's id (`chargebook chargers list`), or its id at the source.",
)
_FILES = typer.Option(
    None, "--prices-file", help="Recorded EnergyZero JSON (repeatable); default: cached."
)
_SOURCE = typer.Option(
    None, "--source", help="wallbox_cloud or ocpp: when a source id names two chargers."
)


@plan_app.callback(invoke_without_command=True)
def preview(
    ctx: typer.Context,
    energy: float = typer.Option(
        None, "--energy", callback=params.energy_kwh, help="Energy to charge, kWh."
    ),
    by: str = typer.Option(
        None, "--by", callback=params.time_of_day, help="Departure, local HH:MM (next occurrence)."
    ),
    max_power_kw: float = typer.Option(11.0, "--max-power-kw", callback=params.power_kw),
    strategy: Strategy = prices_cli._STRATEGY,
    price_cap: float = typer.Option(
        None, "--price-cap", callback=params.price_per_kwh, help="EUR/kWh for price_cap."
    ),
    min_block_min: int = typer.Option(
        0, "--min-block", callback=params.minutes, help="Shortest on-period, minutes."
    ),
    source: prices_cli.SourceName = prices_cli._SOURCE,
    prices_file: Path | None = prices_cli._FILE,
    now: str = typer.Option(
        None, "--now", callback=params.moment_text, help="Pretend it is this local time (ISO)."
    ),
) -> None:
    """Preview the cheapest way to charge ENERGY kWh by a departure time (`--energy --by`)."""
    if ctx.invoked_subcommand is not None:
        return
    if energy is None or by is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(2)
    prices_cli.plan(
        energy=energy,
        by=by,
        max_power_kw=max_power_kw,
        strategy=strategy,
        price_cap=price_cap,
        min_block_min=min_block_min,
        source=source,
        prices_file=prices_file,
        now=now,
    )


def _weekdays(text: str) -> frozenset[int]:
    """ "mon-fri", "sat,sun", "daily" or "0,2,4" (0 = Monday)."""
    text = text.strip().lower()
    if text in ("daily", "all", "every"):
        return frozenset(range(7))
    days: set[int] = set()
    for part in text.split(","):
        bounds = [_weekday(p) for p in part.split("-")]
        if len(bounds) == 1:
            days.add(bounds[0])
        elif len(bounds) == 2:
            first, last = bounds
            days.update((first + i) % 7 for i in range((last - first) % 7 + 1))
        else:
            raise ConfigurationError(f"cannot read weekdays {text!r}")
    return frozenset(days)


def _weekday(name: str) -> int:
    name = name.strip()[:3]
    if name.isascii() and name.isdigit() and 0 <= int(name) <= 6:
        return int(name)
    if name in WEEKDAY_NAMES:
        return WEEKDAY_NAMES.index(name)
    raise ConfigurationError(f"unknown weekday {name!r} (use mon..sun or 0..6)")


def _database() -> Database:
    return open_database(load_settings())


def _charger(database: Database, source: str | None, reference: str) -> StoredCharger:
    try:
        wanted = ChargerSource(source) if source else None
    except ValueError:
        raise ConfigurationError(f"unknown source {source!r}: wallbox_cloud or ocpp") from None
    with database.session() as session:
        return resolve_charger(session, reference, source=wanted)


@plan_app.command("add")
def add(
    charger: str = _CHARGER,
    days: str = typer.Option(..., "--days", help="mon-fri, sat,sun, daily or 0..6."),
    depart: str = typer.Option(
        ..., "--depart", callback=params.time_of_day, help="Departure, HH:MM in --zone."
    ),
    energy: float = typer.Option(
        None, "--energy", callback=params.energy_kwh, help="Energy to add, kWh."
    ),
    soc: float = typer.Option(
        None, "--soc", callback=params.percent, help="Target state of charge, %."
    ),
    capacity: float = typer.Option(
        None, "--capacity", callback=params.energy_kwh, help="Battery capacity, kWh (--soc)."
    ),
    zone: str = typer.Option(
        "Europe/Amsterdam", "--zone", callback=params.time_zone, help="The charger's time zone."
    ),
    source: str | None = _SOURCE,
) -> None:
    """Add a repeating weekday plan for a charger."""
    with cli_errors():
        try:
            plan = RepeatingPlan(
                weekdays=_weekdays(days),
                departure=time.fromisoformat(depart),
                time_zone=zone,
                energy_kwh=energy,
                target_soc_pct=soc,
                capacity_kwh=capacity,
            )
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from exc
        database = _database()
        try:
            book_id = _charger(database, source, charger).id
            with database.transaction() as session:
                stored = SmartPlanRepository(session, SystemClock()).add(book_id, plan)
        finally:
            database.dispose()
    typer.echo(f"plan {stored.id}: {stored.describe()}")


@plan_app.command("list")
def list_plans(
    charger: str = typer.Option(
        None, "--charger", callback=params.reference, help="Only this charger."
    ),
    source: str | None = _SOURCE,
) -> None:
    """List the repeating plans."""
    with cli_errors():
        database = _database()
        try:
            book_id = _charger(database, source, charger).id if charger else None
            with database.session() as session:
                names = {
                    c.id: f"{c.id} ({c.charger.external_id})"
                    for c in ChargerRepository(session, SystemClock()).list()
                }
                plans = SmartPlanRepository(session, SystemClock()).list(book_id)
        finally:
            database.dispose()
    table = Table(title="Repeating plans")
    table.add_column("id", no_wrap=True)
    table.add_column("charger", overflow="fold")
    table.add_column("plan", ratio=1)
    table.add_column("active", no_wrap=True)
    for owner, plan in plans:
        table.add_row(
            str(plan.id),
            names.get(owner, str(owner)),
            plan.describe(),
            "yes" if plan.active else "paused",
        )
    plain_console().print(table)


def _set_active(plan_id: int, active: bool) -> None:
    with cli_errors():
        database = _database()
        try:
            with database.transaction() as session:
                if not SmartPlanRepository(session, SystemClock()).set_active(plan_id, active):
                    raise NotFoundError(f"no plan {plan_id}")
        finally:
            database.dispose()
    typer.echo(f"plan {plan_id} {'active' if active else 'paused'}")


@plan_app.command("pause")
def pause(
    plan_id: int = typer.Argument(
        ..., callback=params.book_id, help="The plan's id (see `plan list`)."
    ),
) -> None:
    """Pause a repeating plan (holidays); it stays stored."""
    _set_active(plan_id, False)


@plan_app.command("resume")
def resume(
    plan_id: int = typer.Argument(
        ..., callback=params.book_id, help="The plan's id (see `plan list`)."
    ),
) -> None:
    """Resume a paused repeating plan."""
    _set_active(plan_id, True)


@plan_app.command("remove")
def remove(
    plan_id: int = typer.Argument(
        ..., callback=params.book_id, help="The plan's id (see `plan list`)."
    ),
) -> None:
    """Delete a repeating plan."""
    with cli_errors():
        database = _database()
        try:
            with database.transaction() as session:
                if not SmartPlanRepository(session, SystemClock()).remove(plan_id):
                    raise NotFoundError(f"no plan {plan_id}")
        finally:
            database.dispose()
    typer.echo(f"plan {plan_id} removed")


@plan_app.command("savings")
def savings(charger: str = _CHARGER, source: str | None = _SOURCE) -> None:
    """What smart charging saved per session against charging at once (EUR, all-in)."""
    with cli_errors():
        database = _database()
        try:
            found = _charger(database, source, charger)
            store = DatabaseSmartStore(database, SystemClock(), found.charger.source)
            history = store.savings(found.charger.external_id)
        finally:
            database.dispose()
    table = Table(title=f"Smart charging savings, charger {describe_charger(found)}")
    for column in ("plugged in", "kWh", "cost €", "at once €", "saved €"):
        table.add_column(column, justify="right")
    for item in history:
        table.add_row(
            prices_cli._local(item.plugged_in_at),
            f"{item.energy_kwh:.2f}",
            f"{item.actual_cost_eur:.2f}",
            f"{item.charge_now_cost_eur:.2f}",
            f"{item.saving_eur:.2f}" + ("" if item.cost_complete else " *"),
        )
    total = sum((item.saving_eur for item in history), Decimal(0))
    plain_console().print(table)
    typer.echo(f"total saved: {eur_text(total)} over {len(history)} sessions")


def _cached_curve(source: str) -> PriceCurve:
    database = _database()
    try:
        with database.session() as session:
            slots = PriceSlotRepository(session).window(
                source, datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
            )
    finally:
        database.dispose()
    if not slots:
        raise NotFoundError(f"no cached {source} prices: run `chargebook prices show` first")
    return build_curve(source, slots[0].start, slots[-1].end, slots)


@plan_app.command("backtest")
def backtest(
    prices_file: list[Path] = _FILES,
    cached_source: str = typer.Option("energyzero", "--cached-source"),
    energy: float = typer.Option(
        20.0, "--energy", callback=params.energy_kwh, help="kWh needed every night."
    ),
    plug_in: str = typer.Option(
        "18:00", "--plug-in", callback=params.time_of_day, help="Local plug-in time."
    ),
    depart: str = typer.Option(
        "07:00", "--depart", callback=params.time_of_day, help="Local departure, next morning."
    ),
    max_power_kw: float = typer.Option(11.0, "--max-power-kw", callback=params.power_kw),
    strategy: Strategy = prices_cli._STRATEGY,
) -> None:
    """Replay every fully covered night: the plan's cost against charging at once."""
    with cli_errors():
        curves = (
            [load_price_file(path) for path in prices_file]
            if prices_file
            else [_cached_curve(cached_source)]
        )
        nights: dict[object, BacktestNight] = {}
        for curve in curves:
            for night in backtest_overnight(
                curve,
                energy_kwh=energy,
                plug_in=time.fromisoformat(plug_in),
                departure=time.fromisoformat(depart),
                limits=ChargerLimits(max_power_kw=max_power_kw),
                options=PlanOptions(strategy=strategy),
            ):
                nights.setdefault(night.plug_in_date, night)
    _print_backtest(sorted(nights.values(), key=lambda n: n.plug_in_date), energy, strategy)


def _print_backtest(nights: list[BacktestNight], energy: float, strategy: Strategy) -> None:
    console = plain_console()
    table = Table(title=f"Backtest: {energy:g} kWh a night, {strategy.value}")
    for column in ("night of", "at once €", "plan €", "saved €", "saved %"):
        table.add_column(column, justify="right")
    for night in nights:
        table.add_row(
            night.plug_in_date.isoformat(),
            f"{night.charge_now_cost_eur:.2f}",
            f"{night.plan_cost_eur:.2f}",
            f"{night.saving_eur:.2f}",
            f"{night.saving_pct}",
        )
    console.print(table)
    if not nights:
        console.print(styled("no night is fully covered by the prices", "yellow"))
        return
    saved = sum((n.saving_eur for n in nights), Decimal(0))
    at_once = sum((n.charge_now_cost_eur for n in nights), Decimal(0))
    pct = saved / at_once * 100 if at_once > 0 else Decimal(0)
    console.print(
        f"total: saved {eur_text(saved)} of {eur_text(at_once)} ({pct:.1f} %)"
        f" over {len(nights)} nights"
    )
