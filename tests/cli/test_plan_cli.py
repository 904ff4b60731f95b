"""`chargebook plan add|list|pause|resume|remove|savings|backtest` and `prices show` served
from the database's price cache (no network: the cache answers)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from chargebook.cli.app import app
from chargebook.clock import SystemClock
from chargebook.db import ChargerRepository, open_database
from chargebook.db.core.testing import example_charger
from chargebook.db.smart.store import DatabasePriceCache, DatabaseSmartStore
from chargebook.domain.prices import PriceCurve
from chargebook.domain.smart import SessionSaving
from chargebook.prices import load_price_file
from chargebook.settings import load_settings

PRICES = Path(__file__).parent.parent / "fixtures" / "prices"
QUARTER = PRICES / "energyzero-rest-quarter-2025-12-16_18.json"
HOUR = PRICES / "energyzero-rest-hour-2025-12-16_18.json"


def add_charger(external_id: str = "777") -> None:
    database = open_database(load_settings())
    try:
        with database.transaction() as session:
            ChargerRepository(session, SystemClock()).upsert(example_charger(external_id))
    finally:
        database.dispose()


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_repeating_plans_are_added_listed_paused_and_removed() -> None:
    add_charger()
    out = run(
        "plan",
        "add",
        "--charger",
        "777",
        "--days",
        "mon-fri",
        "--depart",
        "07:15",
        "--energy",
        "18",
    )
    assert "plan 1: mon,tue,wed,thu,fri 07:15 Europe/Amsterdam: 18 kWh" in out
    run(
        "plan",
        "add",
        "--charger",
        "777",
        "--days",
        "sat,sun",
        "--depart",
        "10:00",
        "--soc",
        "80",
        "--capacity",
        "64",
    )
    listed = run("plan", "list")
    assert "sat,sun 10:00 Europe/Amsterdam: 80 % of 64 kWh" in listed
    run("plan", "pause", "1")
    assert "paused" in run("plan", "list", "--charger", "777")
    run("plan", "remove", "2")
    listed = run("plan", "list")
    assert "sat,sun" not in listed
    assert "mon,tue" in listed


def test_plan_add_refuses_a_bad_goal_and_an_unknown_charger() -> None:
    add_charger()
    both = ["plan", "add", "--charger", "777", "--days", "daily", "--depart", "07:00"]
    assert CliRunner().invoke(app, both).exit_code != 0  # neither energy nor soc
    unknown = [
        "plan",
        "add",
        "--charger",
        "nope",
        "--days",
        "mon",
        "--depart",
        "07:00",
        "--energy",
        "5",
    ]
    result = CliRunner().invoke(app, unknown)
    assert result.exit_code != 0
    assert "nope" in result.output


def test_the_plain_preview_still_works_and_needs_its_options() -> None:
    out = run(
        "plan",
        "--energy",
        "20",
        "--by",
        "07:00",
        "--prices-file",
        str(QUARTER),
        "--now",
        "2025-12-16T18:00",
    )
    assert "saving € 1.40" in out
    assert CliRunner().invoke(app, ["plan", "--energy", "20"]).exit_code == 2


def test_savings_history_is_listed_with_a_total() -> None:
    add_charger()
    database = open_database(load_settings())
    try:
        store = DatabaseSmartStore(database, SystemClock())
        for day, cost in ((16, "3.5600"), (17, "2.9000")):
            store.record_saving(
                SessionSaving(
                    charger_id="777",
                    plugged_in_at=datetime(2025, 12, day, 19, tzinfo=UTC),
                    unplugged_at=datetime(2025, 12, day + 1, 6, tzinfo=UTC),
                    energy_kwh=Decimal("15"),
                    actual_cost_eur=Decimal(cost),
                    charge_now_cost_eur=Decimal("4.1800"),
                )
            )
    finally:
        database.dispose()
    out = run("plan", "savings", "--charger", "777")
    assert "0.62" in out
    assert "1.28" in out
    assert "total saved: € 1.90 over 2 sessions" in out


def test_backtest_prints_every_covered_night_and_the_total() -> None:
    out = run("plan", "backtest", "--prices-file", str(QUARTER), "--prices-file", str(HOUR))
    assert "2025-12-16" in out
    assert "1.40" in out
    assert "1.49" in out
    assert "over 2 nights" in out


def test_prices_show_and_backtest_use_the_database_cache() -> None:
    recorded = load_price_file(QUARTER)
    database = open_database(load_settings())
    try:
        cache = DatabasePriceCache(database, SystemClock())
        curve = PriceCurve(
            "energyzero", recorded.requested_start, recorded.requested_end, recorded.slots
        )
        asyncio.run(cache.save(curve))
    finally:
        database.dispose()
    # EnergyZero is never reached in tests: the cached day answers.
    out = run("prices", "show", "--source", "energyzero", "--day", "2025-12-17")
    assert "(energyzero)" in out
    assert "0.0885" in out
    assert "Not all prices" not in out
    assert "over 2 nights" in run("plan", "backtest")  # default: the cached prices
