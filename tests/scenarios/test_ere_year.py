"""Issue 17, the ERE journey: one owner's year walked through the CLI and through the web
(the flow with an HTTP client, the pages in Chromium), with the same EREs, statement and
payout from both doors.

Wallbox Copper SB (MID) + Pulsar Plus (no MID) of one owner on one EAN, sessions from
1 January 2026: the first quarter's EREs are the Copper SB's MID kWh x 0.332694 rounded once
to 0.1 ERE; the Pulsar Plus's sessions are held back with their reason; building the batch
again registers nothing twice; a statement and a paid payout follow.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from chargebook.db import Database, open_database
from chargebook.db.core.testing import SqliteTemplate, sqlite_url
from chargebook.ere.calculator import round_eur
from chargebook.settings import Settings, load_settings
from chargebook.simulator.serve import ServedApp
from chargebook.simulator.wallbox import WallboxSimulator

from .through_cli import CliRun, walk_cli
from .through_web import OPERATOR_EMAIL, OWNER_EMAIL, PASSWORD, walk_web, web_app
from .year import (
    FEE,
    OPERATOR,
    OWNER_IBAN,
    PRICE,
    Truth,
    YearOutcome,
    outcome,
    sepa_transfers,
    simulator,
    truth,
)


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[WallboxSimulator, str, Truth]]:
    sim = simulator()
    with ServedApp(sim.app) as served:
        yield sim, served.url, truth(sim)


@pytest.fixture
def web_database(_sqlite_template: SqliteTemplate, tmp_path: Path) -> Database:
    """The web's own book (the CLI's is another), at the newest schema."""
    return _sqlite_template.clone(tmp_path / "web.sqlite3")


@pytest.fixture
def cli_year(
    world: tuple[WallboxSimulator, str, Truth],
    empty_database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[CliRun, YearOutcome]]:
    _, url, _ = world
    run = walk_cli(url, empty_database_url, tmp_path, monkeypatch)
    database = open_database(load_settings())
    try:
        yield run, outcome(database)
    finally:
        database.dispose()


def test_the_year_through_the_cli(
    world: tuple[WallboxSimulator, str, Truth], cli_year: tuple[CliRun, YearOutcome]
) -> None:
    _, _, expected = world
    run, year = cli_year
    assert expected.copper_q1_sessions  # both charged in Q1
    assert expected.pulsar_q1_sessions
    # EREs = MID kWh x 0.332694, rounded once per line to 0.1 ERE.
    assert year.batch_status == "finalized"
    assert year.batch_kwh == expected.copper_q1_kwh
    assert year.batch_ere == expected.expected_ere
    # Every Copper SB session of the quarter, from 1 January, once; no Pulsar Plus session.
    assert year.registered == expected.copper_q1_sessions
    assert year.registrations == len(expected.copper_q1_sessions)
    # The Pulsar Plus's sessions are held back, with their reason.
    pulsar_line = next(
        line for line in run.eligibility.splitlines() if "metering_not_qualifying" in line
    )
    assert f" {len(expected.pulsar_q1_sessions)} " in f" {pulsar_line} "
    assert "no MID meter" in pulsar_line
    # ... and the Copper SB's session plugged in on New Year's Eve, before its construct.
    # ... and no Copper SB session lacks its meter: the MID meter counts from its first
    # MID-metered session, the one plugged in on New Year's Eve included.
    assert "no_metering_construct" not in run.eligibility
    # Building the batch again registers nothing twice.
    assert run.second_batch[0] != 0
    assert "already has finalized batch" in run.second_batch[1]
    assert run.correcting[0] != 0
    assert "no eligible, unregistered session" in run.correcting[1]
    assert year.batches == 1
    # The evidence pack, the statement and the paid payout.
    assert [p.name for p in run.evidence] == ["batch-1-customer-1.zip"]
    ere, price, gross, fee, payout, status = year.statement
    assert (ere, price) == (expected.expected_ere, PRICE)
    assert gross == round_eur(ere * PRICE)  # cents, half up
    assert fee == round_eur(gross * FEE)
    assert payout == gross - fee
    assert status == "paid"
    # Paid by one SEPA transfer of exactly the payout to the owner's account.
    assert sepa_transfers(run.sepa) == [(OWNER_IBAN, payout)]


async def test_the_same_year_through_the_web_and_in_chromium(
    world: tuple[WallboxSimulator, str, Truth],
    cli_year: tuple[CliRun, YearOutcome],
    web_database: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, url, expected = world
    cli_run, cli = cli_year
    database = web_database
    # The operator's CLI step of the web walk works on the web's book.
    monkeypatch.setenv("CHARGEBOOK_DATABASE_URL", sqlite_url(tmp_path / "web.sqlite3"))
    settings = Settings(
        data_dir=tmp_path / "web",
        secret_key=SecretStr(Fernet.generate_key().decode()),
        web_cookie_secure=False,
        wallbox_api_url=url,
        wallbox_auth_url=url,
        wallbox_partner_mode=True,
        wallbox_max_retries=0,
        operator_name=OPERATOR["name"],
        operator_iban=OPERATOR["iban"],
        operator_bic=OPERATOR["bic"],
    )
    try:
        run = await walk_web(settings, database)
        web = outcome(database)
        assert "mandate=ok" in run.joined
        # Building the batch again registers nothing twice: refused, with the reason.
        assert run.second_batch[0] == 400
        assert "already has finalized batch" in run.second_batch[1]
        # The Pulsar Plus, on the same EAN in one step, is held back for its meter, as in the CLI.
        assert run.quarter_reasons == {
            "metering_not_qualifying": len(expected.pulsar_q1_sessions),
            "already_registered": len(expected.copper_q1_sessions),
        }
        # The same EREs, registered sessions, statement and payout as the CLI's, paid by
        # the same transfer.
        assert web == cli
        assert sepa_transfers(run.sepa) == sepa_transfers(cli_run.sepa)
        # The pages show them (Chromium, served by uvicorn).
        app = web_app(settings, database)
        with ServedApp(app) as served:
            pages = await asyncio.to_thread(_pages_in_chromium, served.url, tmp_path / "profile")
    finally:
        database.dispose()
    ere, _, gross, fee, payout, _ = cli.statement
    credits, batches, payouts = pages
    assert f"{ere:,.1f}" in credits["statements"]
    assert f"€ {payout:,.2f}" in credits["statements"]
    assert "paid" in credits["statements"]
    assert f"€ {payout:,.2f}" in credits["paid"]
    assert f"{cli.batch_ere:,.1f}" in batches
    assert "finalized" in batches
    for amount in (gross, fee, payout):
        assert f"€ {amount:,.2f}" in payouts
    assert "paid" in payouts


def _pages_in_chromium(base_url: str, profile: Path) -> tuple[dict[str, str], str, str]:
    """The owner's credits page and the operator's batches and payouts, as Chromium shows
    them (text of the parts that carry the figures)."""
    from playwright.sync_api import sync_playwright

    from browser.conftest import CHROMIUM, CHROMIUM_FLAGS, require_chromium, watch_csp

    require_chromium()
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1366, "height": 900},
            base_url=base_url,
        )
        context.set_default_timeout(15_000)
        refused = watch_csp(context)
        page = context.new_page()
        _sign_in(page, OWNER_EMAIL)
        page.goto("/credits")
        credits = {
            "statements": page.locator("section.card", has_text="Statements").inner_text(),
            "paid": page.locator("[data-testid=credit-totals]").inner_text(),
        }
        page.context.clear_cookies()
        _sign_in(page, OPERATOR_EMAIL)
        page.goto("/operator/batches")
        batches = page.locator("main table").inner_text()
        page.goto("/operator/payouts")
        payouts = page.locator("main table").first.inner_text()
        context.close()
    assert refused == [], refused
    return credits, batches, payouts


def _sign_in(page: Any, email: str) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")
