"""The served demo in headless Chromium: the dashboard shows each charger in the state its own
page shows (issue 18: the Wallbox chargers stayed "unknown" on the dashboard and the OCPP
charger "charging" after its session ended), and the highlighted control follows the state.
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
    assert cards.count() == 3  # two Wallbox chargers and the OCPP charger
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
