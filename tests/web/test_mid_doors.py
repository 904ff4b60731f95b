""" "Does this charger qualify" has one answer whichever door brought the charger into the
book: `chargebook accounts add` + `chargebook sync` + `chargebook ere metering detect` (the CLI
and worker path) and the web's connect wizard give the simulator's Copper SB its MID serial
and the same verdict (issue 16: after a CLI sync it once said "needs upgrade: the API reports
no serial number" while the wizard said "qualifies"). The simulator is served by uvicorn."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from chargebook.cli.app import app as cli_app
from chargebook.clock import SystemClock
from chargebook.db import Database, open_database
from chargebook.db.ere.store import EreStore
from chargebook.domain.stored import StoredCharger
from chargebook.ere import MeteringAssessment, MeteringVerdict
from chargebook.ere.service import assess_charger
from chargebook.settings import Settings, load_settings
from chargebook.simulator.serve import ServedApp
from chargebook.simulator.wallbox import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    SimulatorConfig,
    WallboxSimulator,
)

from .helpers import Actor, add_user, client_for, make_app, sign_in

runner = CliRunner()
CLOCK = SystemClock()


@pytest.fixture(scope="module")
def simulator() -> Iterator[tuple[WallboxSimulator, str]]:
    config = SimulatorConfig(
        seed=3, accounts=1, chargers_per_account=2, days=10, latency_ms=0, partner_mode=True
    )
    simulator = WallboxSimulator(config, clock=CLOCK)
    with ServedApp(simulator.app) as served:
        yield simulator, served.url


def _copper(database: Database) -> tuple[StoredCharger, MeteringAssessment, str | None]:
    """The Copper SB as the book holds it, the service's verdict and the detected serial."""
    with database.session() as session:
        store = EreStore(session, CLOCK)
        copper = next(c for c in store.chargers.list() if c.charger.model == "Copper SB")
        construct = store.metering.current(copper.id)
        return copper, assess_charger(store, copper), construct and construct.construct.mid_serial


def _through_the_cli(url: str, database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    for name, value in (
        ("CHARGEBOOK_DATABASE_URL", database_url),
        ("CHARGEBOOK_WALLBOX_API_URL", url),
        ("CHARGEBOOK_WALLBOX_AUTH_URL", url),
        ("CHARGEBOOK_WALLBOX_PARTNER_MODE", "true"),
        ("CHARGEBOOK_WALLBOX_MAX_RETRIES", "0"),
    ):
        monkeypatch.setenv(name, value)
    outputs = []
    for args in (
        ["db", "upgrade"],
        ["accounts", "add", "--email", DEMO_EMAIL, "--password", DEMO_PASSWORD],
        ["sync", "--quiet"],
        ["ere", "metering", "detect"],
    ):
        result = runner.invoke(cli_app, args, env={"COLUMNS": "250"})
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    return outputs[-1]


async def _through_the_wizard(url: str, settings: Settings, database: Database) -> str:
    web = settings.model_copy(
        update={
            "wallbox_api_url": url,
            "wallbox_auth_url": url,
            "wallbox_partner_mode": True,
            "wallbox_max_retries": 0,
        }
    )
    app = make_app(web, database, CLOCK)  # type: ignore[arg-type]
    async with app.router.lifespan_context(app):
        owner = Actor("owner", add_user(app, "driver@example.com"), client_for(app))
        sign_in(app, owner)
        try:
            data = {"email": DEMO_EMAIL, "password": DEMO_PASSWORD, "csrf_token": owner.csrf}
            connected = await owner.client.post("/connect/wallbox", data=data)
            assert connected.status_code == 303, connected.text
            copper, _, _ = _copper(database)
            await owner.client.post(f"/connect/{copper.id}/select", data={"csrf_token": owner.csrf})
            meter = await owner.client.get(f"/connect/{copper.id}/meter")
            assert meter.status_code == 200
            return meter.text
        finally:
            await owner.client.aclose()


async def test_cli_sync_and_the_wizard_give_the_copper_sb_the_same_metering_answer(
    simulator: tuple[WallboxSimulator, str],
    empty_database_url: str,
    web_settings: Settings,
    sqlite_database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim, url = simulator
    serial = next(c.mid_serial_number for c in sim.chargers.values() if c.model.mid)
    assert serial

    # The CLI runs its own event loop (asyncio.run): in a thread, as from a shell.
    detected = await asyncio.to_thread(_through_the_cli, url, empty_database_url, monkeypatch)
    cli_book = open_database(load_settings())
    try:
        cli_copper, cli_verdict, cli_recorded = _copper(cli_book)
    finally:
        cli_book.dispose()
    page = await _through_the_wizard(url, web_settings, sqlite_database)
    web_copper, web_verdict, _ = _copper(sqlite_database)

    assert cli_copper.charger.mid.serial_number == web_copper.charger.mid.serial_number == serial
    assert cli_verdict == web_verdict
    assert cli_verdict.verdict is MeteringVerdict.QUALIFYING
    assert cli_recorded == serial  # detection recorded the integrated MID construct
    assert f"{cli_copper.id}" in detected
    assert "qualifies" in detected
    assert "no serial number" not in detected
    assert 'data-testid="verdict">qualifies<' in page
