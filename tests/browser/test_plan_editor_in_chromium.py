"""The plan editor and the savings history in headless Chromium, on the recorded prices of
16-18 Dec 2025: the chart draws, editing re-computes the preview without a reload (the numbers
are the planner's), saving stores the plan, "no prices for tomorrow yet" shows; desktop and a
390x844 phone without sideways scrolling. Screenshots: test-artifacts/screenshots/plan-*.png.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from pydantic import SecretStr

from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, UserRepository
from chargebook.db.core.testing import example_charger
from chargebook.db.smart.repository import SmartPlanRepository, SmartSavingRepository
from chargebook.demo.web import OWNER, build_demo_app
from chargebook.domain.prices import (
    ChargeGoal,
    PlanOptions,
    Strategy,
    build_curve,
    floor_to_slot,
)
from chargebook.domain.smart import SessionSaving
from chargebook.domain.stored import StoredCharger
from chargebook.planner import preview_plan
from chargebook.prices import FilePriceSource, load_price_file
from chargebook.settings import Settings
from chargebook.simulator.serve import ServedApp
from chargebook.smart.limits import charger_limits
from chargebook.web.context import WebContext

from .conftest import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    SCREENSHOTS,
    require_chromium,
    wait_until,
    watch_csp,
)

AMS = ZoneInfo("Europe/Amsterdam")
PRICES_FILE = Path(__file__).parents[1] / "fixtures" / "prices"
PRICES_FILE = PRICES_FILE / "energyzero-rest-quarter-2025-12-16_18.json"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
START = datetime(2025, 12, 16, 15, 0, tzinfo=UTC)  # Tue 16:00 in Amsterdam
RECORDED = load_price_file(PRICES_FILE)


@dataclass
class World:
    base_url: str
    context: WebContext
    clock: FixedClock
    charger_id: int


def _preview(world: World, energy_kwh: float, options: PlanOptions) -> Any:
    with world.context.database.session() as session:
        charger = ChargerRepository(session, world.clock).get(world.charger_id)
    now = world.clock.now()
    departure = datetime(2025, 12, 17, 7, 0, tzinfo=AMS)
    curve = build_curve("file", floor_to_slot(now), departure, RECORDED.slots)
    goal = ChargeGoal(energy_kwh=energy_kwh, departure=departure)
    return preview_plan(goal, charger_limits(charger), curve, now=now, options=options)


def _add_history(context: WebContext, clock: FixedClock, charger: StoredCharger) -> None:
    """Two recorded nights: what the planner chose vs charging at once, as the ledger keeps."""
    curve = build_curve("file", START, START + timedelta(days=3), RECORDED.slots)
    limits = charger_limits(charger)
    with context.database.transaction() as session:
        repository = SmartSavingRepository(session, clock)
        for day, kwh in ((16, 18.0), (17, 24.0)):
            plugged = datetime(2025, 12, day, 18, 30, tzinfo=AMS)
            leave = datetime(2025, 12, day + 1, 7, 0, tzinfo=AMS)
            preview = preview_plan(ChargeGoal(kwh, leave), limits, curve, now=plugged)
            repository.record(
                charger.id,
                SessionSaving(
                    charger_id="70001",
                    plugged_in_at=plugged,
                    unplugged_at=leave,
                    energy_kwh=Decimal(f"{kwh:.3f}"),
                    actual_cost_eur=preview.plan.cost_eur,
                    charge_now_cost_eur=preview.charge_now.cost_eur,
                ),
            )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    require_chromium()
    folder = tmp_path_factory.mktemp("plan-browser")
    clock = FixedClock(START)
    settings = Settings(
        data_dir=folder,
        secret_key=SecretStr(Fernet.generate_key().decode()),
        web_cookie_secure=False,
        wallbox_api_url="http://wallbox.invalid",
        wallbox_auth_url="http://wallbox.invalid",
    )
    app = build_demo_app(settings, clock=clock, connect_owner=False)
    context: WebContext = app.state.context
    context.prices = FilePriceSource(PRICES_FILE)  # recorded prices, never the network
    with context.database.transaction() as session:
        owner = UserRepository(session, clock).get_by_email(OWNER.email)
        assert owner is not None
        charger = ChargerRepository(session, clock).upsert(
            example_charger("70001", max_current_a=16, name="Driveway"),
            owner_user_id=owner.id,
        )
    _add_history(context, clock, charger)
    with ServedApp(app) as web:
        yield World(web.url, context, clock, charger.id)


@pytest.fixture(scope="module")
def page(world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    profile = tmp_path_factory.mktemp("plan-chromium-profile")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS,
            viewport=DESKTOP, base_url=world.base_url, locale="en-GB",
        )  # fmt: skip
        browser.set_default_timeout(15_000)
        refused = watch_csp(browser)
        page = browser.new_page()
        page.goto("/login")
        page.fill("input[name=email]", OWNER.email)
        page.fill("input[name=password]", OWNER.password)
        page.click("main button[type=submit]")
        page.wait_for_url("**/")
        yield page
        browser.close()
        assert refused == [], "\n".join(refused)


def shot(page: Any, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")  # else the sticky bar lands mid-page
    page.screenshot(path=str(SCREENSHOTS / f"plan-{name}.png"), full_page=True)


def no_sideways_scroll(page: Any) -> None:
    # After a viewport change Chart.js resizes its canvas from a ResizeObserver callback:
    # give the layout a moment to settle (a page that stays too wide still fails below).
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(
            "document.documentElement.scrollWidth <= window.innerWidth", timeout=3000
        )
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def chart_drawn(page: Any, canvas: str) -> None:
    wait_until(page, f"() => window.Chart && window.Chart.getChart('{canvas}') !== undefined")


def eur(value: Any) -> str:
    return f"€ {value:,.2f}"


def test_owner_edits_previews_and_saves_a_plan(world: World, page: Any) -> None:
    world.clock.set(START)
    page.set_viewport_size(DESKTOP)
    page.goto(f"/chargers/{world.charger_id}")
    page.click("[data-testid=plan-link]")
    page.wait_for_url(f"**/chargers/{world.charger_id}/plan")
    chart_drawn(page, "plan-canvas")
    default = _preview(world, 20.0, PlanOptions())
    assert page.inner_text("[data-testid=cost]") == eur(default.plan.cost_eur)
    assert page.inner_text("[data-testid=saving]") == eur(default.saving_eur)
    assert page.locator("[data-testid=no-prices]").is_hidden()
    highlighted = page.evaluate(
        "window.Chart.getChart('plan-canvas').data.datasets[0].backgroundColor"
        ".filter(c => c !== '#c9d1da').length"
    )
    assert highlighted == len({floor_to_slot(s.start) for s in default.plan.slots})
    shot(page, "desktop-01-editor")

    # Edit: 30 kWh, below a price cap of € 0.25, runs of at least an hour.
    page.fill("[data-testid=energy]", "30")
    page.check("[data-testid=strategy-price_cap]")
    page.fill("[data-testid=price-cap]", "0.25")
    page.select_option("[data-testid=min-block]", "60")
    options = PlanOptions(
        strategy=Strategy.PRICE_CAP,
        price_cap_eur_per_kwh=Decimal("0.25"),
        min_block=timedelta(minutes=60),
    )
    edited = _preview(world, 30.0, options)
    wait_until(
        page,
        "text => document.querySelector('[data-testid=cost]').textContent === text",
        eur(edited.plan.cost_eur),
    )
    assert page.inner_text("[data-testid=saving]") == eur(edited.saving_eur)
    shot(page, "desktop-02-price-cap")

    page.click("[data-testid=save]")
    page.wait_for_url("**/plan?done=saved")
    assert "Plan saved" in page.inner_text("[data-testid=message]")
    assert page.inner_text("[data-testid=plan-state]") == "Plan active"
    with world.context.database.session() as session:
        [(_, plan)] = SmartPlanRepository(session, world.clock).list(world.charger_id)
    assert plan.energy_kwh == 30.0
    assert plan.strategy is Strategy.PRICE_CAP
    assert plan.min_block_minutes == 60
    assert plan.weekdays == frozenset(range(5))
    chart_drawn(page, "plan-canvas")
    shot(page, "desktop-03-saved")

    # The same editor on a phone: battery-level goal, no sideways scrolling.
    page.set_viewport_size(PHONE)
    page.reload()
    chart_drawn(page, "plan-canvas")
    no_sideways_scroll(page)
    shot(page, "phone-01-editor")
    page.click("text=Battery level")
    assert page.locator("input[name=capacity_kwh]").is_visible()
    assert page.locator("[data-testid=energy]").is_hidden()
    no_sideways_scroll(page)


def test_no_prices_for_tomorrow_yet(world: World, page: Any) -> None:
    world.clock.set(datetime(2025, 12, 18, 12, 0, tzinfo=UTC))  # Friday not published yet
    try:
        for viewport, name in ((DESKTOP, "desktop-04-no-prices"), (PHONE, "phone-02-no-prices")):
            page.set_viewport_size(viewport)
            page.goto(f"/chargers/{world.charger_id}/plan")
            chart_drawn(page, "plan-canvas")
            banner = page.locator("[data-testid=no-prices]")
            assert banner.is_visible()
            assert banner.inner_text().startswith("No prices for tomorrow yet")
            no_sideways_scroll(page)
            shot(page, name)
    finally:
        world.clock.set(START)


def test_savings_history(world: World, page: Any) -> None:
    for viewport, name in ((DESKTOP, "desktop-05-savings"), (PHONE, "phone-03-savings")):
        page.set_viewport_size(viewport)
        page.goto("/savings")
        chart_drawn(page, "savings-canvas")
        assert page.inner_text("[data-testid=total-saving]").startswith("€ ")
        assert page.locator("[data-testid=days] tbody tr").count() == 2
        no_sideways_scroll(page)
        shot(page, name)


def test_an_impossible_goal_says_why_while_editing(world: World, page: Any) -> None:
    world.clock.set(START)
    page.set_viewport_size(DESKTOP)
    page.goto(f"/chargers/{world.charger_id}/plan")
    chart_drawn(page, "plan-canvas")
    goal, error = page.locator("[data-testid=goal-message]"), page.locator("[data-testid=error]")
    # Out of range: the message names the limit, the old figures are greyed out.
    page.fill("[data-testid=energy]", "400")
    wait_until(page, "() => !document.querySelector('[data-testid=error]').hidden")
    assert error.inner_text() == "Enter the energy to add (up to 200 kWh)."
    assert "stale" in (page.get_attribute("[data-testid=totals]", "class") or "")
    shot(page, "desktop-06-out-of-range")
    # In range but not by departure: 160 kWh by 17:00 (an hour from now) at 16 A.
    page.fill("[data-testid=energy]", "160")
    page.fill("[data-testid=departure]", "17:00")
    for day in range(7):
        page.check(f"input[name=weekday][value='{day}']")
    wait_until(page, "() => !document.querySelector('[data-testid=goal-message]').hidden")
    assert error.is_hidden()
    text = goal.inner_text()
    assert text.startswith("160.0 kWh cannot be charged by Tue 17:00")
    assert "Lower the goal to 11.0 kWh, or leave at Wed 06:30 or later." in text
    shot(page, "desktop-07-impossible-goal")
    page.set_viewport_size(PHONE)
    no_sideways_scroll(page)
    shot(page, "phone-04-impossible-goal")
    page.fill("[data-testid=energy]", "5")
    wait_until(page, "() => document.querySelector('[data-testid=goal-message]').hidden")
