"""The served demo in headless Chromium: the dashboard shows each charger in the state its own
page shows (issue 18: the Wallbox chargers stayed "unknown" on the dashboard and the OCPP
charger "charging" after its session ended), and the highlighted control follows the state.
The demo has the Easee, Zaptec and Peblar chargers beside the Wallbox and OCPP ones (issue
19); the dashboard fits them (a Peblar's long product code for a model) at 1366 and 390 px.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from chargebook.demo.web import OWNER, demo_app
from chargebook.simulator.serve import free_port

from .conftest import CHROMIUM, CHROMIUM_FLAGS, require_chromium, watch_csp


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`chargebook demo`'s web app (in-process simulator, OCPP charger), lifespan on."""
    require_chromium()
    app = demo_app(data_dir=tmp_path_factory.mktemp("demo") / "demo-web", days=2)
    port = free_port("127.0.0.1")
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True, name="demo-web")
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:  # set once the lifespan (connect, OCPP charge) has run
        assert thread.is_alive(), "the demo did not start"
        assert time.monotonic() < deadline, "the demo did not start in 30 s"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def page(demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    profile: Path = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 860},
            base_url=demo_url,
        )
        context.set_default_timeout(15_000)
        refused = watch_csp(context)
        yield context.new_page()
        context.close()
        assert refused == [], "\n".join(refused)


def test_the_dashboard_shows_each_chargers_own_state(page: Any) -> None:
    page.goto("/login")
    page.fill("input[name=email]", OWNER.email)
    page.fill("input[name=password]", OWNER.password)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")

    cards = page.locator("[data-testid=charger-card]")
    # Two Wallbox chargers, the OCPP charger, one Easee, one Zaptec and one Peblar.
    assert cards.count() == 6
    text = page.locator("main").inner_text()
    for brand in ("Easee", "Zaptec", "Peblar"):
        assert brand in text, brand
    on_dashboard = {
        cards.nth(i).get_attribute("data-charger-id"): cards.nth(i)
        .locator("[data-testid=state]")
        .inner_text()
        .strip()
        for i in range(cards.count())
    }
    for charger_id, state in on_dashboard.items():
        assert state != "unknown", charger_id
        page.goto(f"/chargers/{charger_id}")
        # After the page's first live poll too (the script rewrites the state in place).
        page.wait_for_timeout(3500)
        assert page.locator("[data-testid=state]").inner_text().strip() == state, charger_id
        highlighted = {
            name
            for name in ("pause", "resume")
            if page.locator(f"[data-testid={name}]").count()
            and "primary" in (page.locator(f"[data-testid={name}]").get_attribute("class") or "")
        }
        expected = {"charging": {"pause"}, "paused": {"resume"}}.get(state, set())
        assert highlighted == expected, (charger_id, state)


@pytest.mark.parametrize("width", [1366, 390])
def test_the_dashboard_fits_every_brands_card(
    page: Any, width: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/")
    if "/login" in page.url:
        page.fill("input[name=email]", OWNER.email)
        page.fill("input[name=password]", OWNER.password)
        page.click("main button[type=submit]")
        page.wait_for_url("**/")
    page.wait_for_timeout(500)
    shots = tmp_path_factory.mktemp("screenshots")
    page.screenshot(path=str(shots / f"demo-dashboard-{width}.png"), full_page=True)
    # Nothing wider than the window, no card whose text runs out of it.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=charger-card]')]
            .filter(card => card.scrollWidth > card.clientWidth + 1)
            .map(card => card.getAttribute('data-charger-id'))"""
    )
    assert overflowing == [], (width, overflowing)
