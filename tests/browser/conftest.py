"""Browser tests: the web app and the Wallbox simulator served by uvicorn on loopback ports,
driven by Playwright with Debian's chromium (never a browser Playwright downloads).

Without /usr/bin/chromium the tests are skipped locally and FAIL under CI=true (`make test`
installs chromium when it runs as root).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from chargebook.clock import FixedClock
from chargebook.demo.web import build_demo_app
from chargebook.settings import Settings
from chargebook.simulator.serve import ServedApp
from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = "Debian's chromium is missing (apt-get install chromium; `make test` does it as root)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def watch_csp(context: Any) -> list[str]:
    """Every Content-Security-Policy refusal the browser reports in any page of `context`
    (issue 14: pages must work under `script-src 'self'; style-src 'self'`)."""
    refused: list[str] = []

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            refused.append(f"{message.page.url if message.page else '?'}: {message.text}")

    context.on("console", on_console)
    return refused


def wait_until(page: Any, expression: str, arg: Any = None, *, timeout_s: float = 15.0) -> None:
    """Poll `expression` (a JS function of `arg`) until it is truthy. `page.wait_for_function`
    evals its predicate inside the page, which the app's CSP (no 'unsafe-eval') refuses;
    `page.evaluate` goes through the DevTools protocol and is not subject to it."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_s} s: {expression}")
        page.wait_for_timeout(100)


@dataclass
class Served:
    base_url: str
    app: object
    simulator: WallboxSimulator
    clock: FixedClock


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    require_chromium()
    folder = tmp_path_factory.mktemp("browser-data")
    clock = FixedClock(datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    simulator = WallboxSimulator(
        SimulatorConfig(seed=1, accounts=1, chargers_per_account=2, days=60, partner_mode=True),
        clock=clock,
    )
    with ServedApp(simulator.app) as cloud:
        settings = Settings(
            data_dir=folder,
            secret_key=SecretStr(Fernet.generate_key().decode()),
            web_cookie_secure=False,
            wallbox_api_url=cloud.url,
            wallbox_auth_url=cloud.url,
            wallbox_partner_mode=True,
        )
        app = build_demo_app(settings, clock=clock, connect_owner=False)
        with ServedApp(app) as web:
            yield Served(web.url, app, simulator, clock)


@pytest.fixture(scope="module")
def browser_context(served: Served, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh --user-data-dir
    if SCREENSHOTS.exists():
        shutil.rmtree(SCREENSHOTS)
    SCREENSHOTS.mkdir(parents=True)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 860},
            accept_downloads=True,
            base_url=served.base_url,
        )
        context.set_default_timeout(15_000)
        refused = watch_csp(context)
        yield context
        context.close()
        assert refused == [], "\n".join(refused)
