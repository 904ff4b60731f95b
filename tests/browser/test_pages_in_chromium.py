"""A person's path through chargebook in headless Chromium: sign in, connect the Wallbox
(wizard, live against the simulator), watch the history import, use the controls and see the
live state change without a reload, export sessions as CSV, look at a session's chart; the
operator console; every main page on a 390x844 phone without sideways scrolling.

Screenshots of the main pages (desktop and phone) go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from typing import Any

from playwright.sync_api import expect

from chargebook.db import ChargerRepository
from chargebook.demo.web import OPERATOR, OWNER
from chargebook.ere import gs1_check_digit

from .conftest import SCREENSHOTS, Served

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
WALLBOX = ("demo@example.com", "demo-password")


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def nav_in_sight(page: Any) -> None:
    """Every item of the top navigation lies wholly inside the viewport (a sideways scroller
    once hid "Learn" behind the right edge on a phone)."""
    links = page.locator("nav.nav a")
    assert links.count() >= 5
    for index in range(links.count()):
        link = links.nth(index)
        box = link.bounding_box()
        assert box is not None, link.inner_text()
        assert box["x"] >= 0, link.inner_text()
        assert box["x"] + box["width"] <= page.viewport_size["width"], link.inner_text()
        assert link.is_visible(), link.inner_text()


def sign_in(page: Any, email: str, password: str) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")


def test_owner_connects_controls_and_exports(served: Served, browser_context: Any) -> None:
    page = browser_context.new_page()
    sign_in(page, OWNER.email, OWNER.password)
    assert "No chargers yet" in page.content()
    shot(page, "desktop-01-dashboard-empty")

    # 1-2: choose Wallbox, a wrong password first, then the right one (checked live)
    page.click("[data-testid=connect]")
    shot(page, "desktop-02-connect-choose")
    page.click("[data-testid=choose-wallbox]")
    page.fill("input[name=email]", WALLBOX[0])
    page.fill("input[name=password]", "not-the-password")
    page.click("[data-testid=wallbox-form] button[type=submit]")
    alert = page.locator("[data-problem=wrong_password]")
    assert "did not accept" in alert.inner_text()
    assert "Google" in alert.inner_text()
    shot(page, "desktop-03-connect-wrong-password")
    page.fill("input[name=password]", WALLBOX[1])
    page.click("[data-testid=wallbox-form] button[type=submit]")

    # 3: two chargers on the account; pick the Copper SB (MID meter)
    page.wait_for_url("**/connect/chargers?account=*")
    shot(page, "desktop-04-connect-choose-charger")
    page.locator("article", has_text="Copper SB").locator("button").click()
    page.wait_for_url("**/meter")
    assert page.locator("[data-testid=verdict]").inner_text() == "qualifies"

    # 4: EAN with a typo is refused with a clear message; the right one is accepted
    body = "87152000000000123"
    page.fill("input[name=ean]", body + str((gs1_check_digit(body) + 1) % 10))
    page.fill("input[name=connected_party_name]", "Dana de Vries")
    page.fill("input[name=street]", "Stationsweg")
    page.fill("input[name=house_number]", "12a")
    page.fill("input[name=postal_code]", "3511 AB")
    page.fill("input[name=city]", "Utrecht")
    page.check("input[name=consent_grid_operator_data]")
    page.check("input[name=consent_verifier_visit]")
    page.fill("input[name=signed_by_name]", "Dana de Vries")
    page.click("[data-testid=ere-form] button[type=submit]")
    assert "the last digit does not match" in page.locator(".alert").inner_text()
    shot(page, "desktop-05-connect-meter-ean-error")
    page.fill("input[name=ean]", body + str(gs1_check_digit(body)))
    page.check("input[name=consent_grid_operator_data]")
    page.check("input[name=consent_verifier_visit]")
    page.click("[data-testid=ere-form] button[type=submit]")

    # 5: done; the history import finishes in the background and the page shows it
    page.wait_for_url("**/done?mandate=ok")
    page.wait_for_selector("[data-testid=backfill-complete]", timeout=30_000)
    imported = int(page.locator("[data-testid=session-count]").inner_text())
    assert imported > 0
    shot(page, "desktop-06-connect-done")

    # the charger page: move the clock into the charger's next session, then pause/resume
    page.click("text=Go to")
    page.wait_for_url("**/chargers/*")
    charger_id = int(page.url.rstrip("/").split("/")[-1])
    context = served.app.state.context  # type: ignore[attr-defined]
    with context.database.session() as session:
        external = int(
            ChargerRepository(session, context.clock).get(charger_id).charger.external_id
        )
    planned = served.simulator.next_session(external)
    served.clock.set(planned.start + timedelta(minutes=20))
    state = page.locator("[data-testid=state]")
    # Waits poll through the protocol: a string predicate (wait_for_function) is eval'd in the
    # page, which the CSP (no 'unsafe-eval') refuses.
    expect(page.locator("[data-testid=state]")).to_have_text("charging")
    url_before = page.url
    page.click("[data-testid=pause]")
    expect(page.locator("[data-testid=state]")).to_have_text("paused")
    assert "Charging paused." in page.locator("#flash").inner_text()
    page.click("[data-testid=resume]")
    expect(page.locator("[data-testid=state]")).to_have_text("charging")
    page.fill("[data-testid=current-input]", "10")
    page.click("[data-testid=set-current]")
    expect(page.locator("[data-testid=current]")).to_have_text("10")
    assert served.simulator.view(external).controls.current_a == 10
    page.fill("[data-testid=current-input]", "99")  # above the charger's 32 A
    assert (
        page.evaluate("document.querySelector('[data-testid=current-input]').validity.valid")
        is False
    )
    page.fill("[data-testid=current-input]", "10")
    # The slider and the number follow each other (static/js/live.js; no inline handlers).
    page.fill("#current-range", "14")
    assert page.input_value("[data-testid=current-input]") == "14"
    page.fill("[data-testid=current-input]", "10")
    assert page.input_value("#current-range") == "10"
    assert page.url == url_before  # all of it without leaving or reloading the page
    assert (state.text_content() or "").strip() == "charging"
    shot(page, "desktop-07-charger")

    # sessions: totals and a CSV download with the same sessions
    page.goto("/sessions")
    total = int(page.locator("[data-testid=total-count]").inner_text())
    assert total >= imported
    shot(page, "desktop-08-sessions")
    with page.expect_download() as download:
        page.click("[data-testid=export-csv]")
    rows = list(csv.DictReader(io.StringIO(open(download.value.path()).read())))  # noqa: SIM115
    assert len(rows) == total
    assert {row["charger"] for row in rows} <= {"Garage", *(r["charger"] for r in rows)}
    assert all(float(row["energy_kwh"]) >= 0 for row in rows)
    total_kwh = float(page.locator("[data-testid=total-kwh]").inner_text().replace(",", ""))
    assert abs(sum(float(row["energy_kwh"]) for row in rows) - total_kwh) < 0.1

    # one session with its interactive chart (Chart.js from npm)
    page.locator("table.sessions a").first.click()
    page.wait_for_selector("#chart[data-mode=interactive]")
    shot(page, "desktop-09-session-chart")
    # the axis is the local 24-hour clock whatever the browser's locale (issue 18: not "8 PM")
    ticks = page.evaluate(
        "() => window.Chart.getChart('chart-canvas').scales.x.ticks.map(t => t.label)"
    )
    assert ticks, "the chart has no time axis"
    assert all(re.fullmatch(r"\d\d:\d\d", str(label)) for label in ticks), ticks

    # energy per month: the chart draws from the book's months, the table has every session
    page.goto("/sessions")
    page.click("[data-testid=monthly-link]")
    page.wait_for_url("**/sessions/monthly")
    page.wait_for_function("() => window.Chart && window.Chart.getChart('monthly-canvas')")
    counts = page.locator("[data-testid=months] tbody td:nth-child(2)").all_inner_texts()
    assert sum(int(n) for n in counts) == total
    shot(page, "desktop-09b-monthly")

    for path, name in (("/credits", "10-credits"), ("/learn?kwh=2500", "11-learn")):
        page.goto(path)
        shot(page, f"desktop-{name}")
    assert "831.7" in page.locator("[data-testid=calculator-result]").inner_text()

    # the same pages on a phone
    page.set_viewport_size(PHONE)
    for path, name in (
        ("/", "dashboard"),
        (f"/chargers/{charger_id}", "charger"),
        ("/sessions", "sessions"),
        ("/sessions/monthly", "monthly"),
        (f"/connect/{charger_id}/meter", "connect-meter"),
        ("/connect/wallbox", "connect-sign-in"),
        ("/credits", "credits"),
        ("/learn", "learn"),
    ):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        no_sideways_scroll(page)
        nav_in_sight(page)
        shot(page, f"phone-{name}")
    page.close()


def test_api_docs_run_swagger_ui_under_the_csp(served: Served, browser_context: Any) -> None:
    """Swagger UI from npm, served by chargebook, renders the API (CSP refusals fail the
    module, see conftest.watch_csp)."""
    page = browser_context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "chargebook" in page.locator(".swagger-ui .info .title").inner_text()
    page.wait_for_selector(".opblock-tag")
    assert page.locator(".opblock").count() > 10
    assert all(url.startswith(served.base_url) for url in requested), requested
    shot(page, "desktop-12-api-docs")
    page.close()


def test_operator_console(served: Served, browser_context: Any) -> None:
    browser_context.clear_cookies()
    page = browser_context.new_page()
    page.set_viewport_size(DESKTOP)
    sign_in(page, OPERATOR.email, OPERATOR.password)
    for path, name in (
        ("/operator", "operator-overview"),
        ("/operator/followups", "operator-followups"),
        ("/operator/mandates", "operator-mandates"),
        ("/operator/batches", "operator-batches"),
        ("/operator/payouts", "operator-payouts"),
    ):
        response = page.goto(path)
        assert response is not None
        assert response.status == 200
        shot(page, f"desktop-{name}")
    page.set_viewport_size(PHONE)
    page.goto("/operator")
    no_sideways_scroll(page)
    nav_in_sight(page)
    shot(page, "phone-operator-overview")
    page.close()


def test_owner_enters_payout_details_on_a_phone(served: Served, browser_context: Any) -> None:
    """From the credits page to the payout details form: a wrong check digit is named, the
    saved IBAN is shown masked, and nothing scrolls sideways on a phone."""
    browser_context.clear_cookies()
    page = browser_context.new_page()
    page.set_viewport_size(PHONE)
    sign_in(page, OWNER.email, OWNER.password)
    page.goto("/credits")
    page.click("[data-testid=payout-box] a")
    page.fill("input[name=iban]", "NL91 ABNA 0417 1643 01")
    page.fill("input[name=holder]", "Olga Owner")
    page.click("[data-testid=payout-form] button[type=submit]")
    expect(page.locator("p.alert[role=alert]")).to_contain_text("has a wrong check digit")
    page.fill("input[name=iban]", "DE89 3704 0044 0532 0130 00")
    page.click("[data-testid=payout-form] button[type=submit]")
    expect(page.locator("[data-testid=masked-iban]")).to_have_text("DE** **** **** **** **30 00")
    assert "DE89370400440532013000" not in page.content()
    no_sideways_scroll(page)
    shot(page, "phone-payout-details")
    page.close()
