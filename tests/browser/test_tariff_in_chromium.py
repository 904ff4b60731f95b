"""The owner's tariff form in headless Chromium: only the chosen kind's figures show, a bad
value is named on its field, the saved tariff and its period show (the charger page's line is
tests/web/test_tariff_pages.py's: this demo owner has no charger yet); desktop
(1366 px) and a 390 px phone without sideways scrolling. Screenshots:
test-artifacts/screenshots/tariff-*.png."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from chargebook.demo.web import OWNER

from .conftest import Served
from .test_pages_in_chromium import nav_in_sight, no_sideways_scroll, shot, sign_in

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def test_owner_sets_a_day_night_tariff(served: Served, browser_context: Any) -> None:
    browser_context.clear_cookies()
    page = browser_context.new_page()
    page.set_viewport_size(DESKTOP)
    sign_in(page, OWNER.email, OWNER.password)
    page.click("[data-testid=tariff-link]")  # beside the account, on every page
    page.wait_for_url("**/settings/tariff")
    expect(page.locator("[data-testid=tariff-current]")).to_contain_text("dynamic: market")
    shot(page, "tariff-desktop-default")
    # Choosing a kind shows its figures only.
    page.click("label:has([data-testid=kind-day_night])")
    expect(page.locator("[data-testid=normal]")).to_be_visible()
    expect(page.locator("[data-testid=price]")).to_be_hidden()
    expect(page.locator("[data-testid=surcharge]")).to_be_hidden()
    page.fill("[data-testid=normal]", "0,30")
    page.fill("[data-testid=low]", "abc")
    page.click("[data-testid=save-tariff]")
    expect(page.locator("[data-testid=tariff-error]")).to_contain_text("'abc' is not a number")
    expect(page.locator("[data-testid=low]")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("[data-testid=normal]")).to_have_value("0,30")  # what was typed stays
    shot(page, "tariff-desktop-error")
    page.fill("[data-testid=low]", "0.22")
    expect(page.locator("[data-testid=low-from]")).to_have_value("23:00")  # 24-hour, Dutch
    page.click("[data-testid=save-tariff]")
    expect(page.locator("p.notice[role=status]")).to_contain_text(
        "Your tariff: day/night €0.30/kWh normal, €0.22/kWh low (23:00–07:00, weekends and"
    )
    expect(page.locator("[data-testid=tariff-periods]")).to_be_visible()
    shot(page, "tariff-desktop-saved")
    # On a phone: nothing scrolls sideways, the navigation stays in sight.
    page.set_viewport_size(PHONE)
    page.goto("/settings/tariff")
    expect(page.locator("[data-testid=tariff-link]")).to_be_visible()
    no_sideways_scroll(page)
    nav_in_sight(page)
    shot(page, "tariff-phone")
    page.close()
