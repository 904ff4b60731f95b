"""The OCPP connect page offers the empty-password mode for chargers that cannot send a
password (the Wallbox setup of Home Assistant OCPP and evcc), explains its risk, and shows the
Wallbox setup steps; it registers through the same service as `chargebook ocpp add`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from typer.testing import CliRunner

from chargebook.central_system.auth import SecretVerifier
from chargebook.cli.app import app as cli_app
from chargebook.clock import FixedClock, SystemClock
from chargebook.db import Database, open_database
from chargebook.db.ocpp.chargers import OcppChargerRepository
from chargebook.domain.ocpp import OcppCredentials
from chargebook.settings import Settings

from .test_connect_pages import Wizard, _wizard


@pytest.fixture
async def wizard(
    web_settings: Settings, sqlite_database: Database, clock: FixedClock
) -> AsyncIterator[Wizard]:
    async for world in _wizard(web_settings, sqlite_database, clock):
        yield world


def _credentials(wizard: Wizard, charge_point_id: str) -> OcppCredentials:
    with wizard.database.session() as session:
        found = OcppChargerRepository(session, wizard.simulator.clock).credentials(charge_point_id)
    assert found is not None
    return found


def _secret(html: str) -> str:
    return html.split('data-testid="ocpp-secret">')[1].split("<")[0]


async def test_the_form_offers_the_mode_with_its_risk_and_the_wallbox_steps(wizard: Wizard) -> None:
    page = await wizard.owner.client.get("/connect/ocpp")
    assert page.status_code == 200
    assert 'name="allow_empty_password"' in page.text
    assert "Only on a trusted home network." in page.text
    assert "never with the central system reachable from the internet" in page.text
    assert "Enable OCPP" in page.text
    assert "Improved charger control" in page.text
    assert "ws://testserver:8887/" in page.text
    assert "leave it empty" in page.text


async def test_a_charger_that_cannot_send_a_password(wizard: Wizard) -> None:
    response = await wizard.post(
        "/connect/ocpp", {"charge_point_id": "pulsar-1", "allow_empty_password": "true"}
    )
    assert response.status_code == 200
    assert 'data-testid="empty-password-mode"' in response.text
    assert "Charge Point Identity: <code>pulsar-1</code>" in response.text
    assert "ws://testserver:8887/pulsar-1" in response.text
    credentials = _credentials(wizard, "pulsar-1")
    assert credentials.allow_empty_password
    verifier = SecretVerifier()
    assert verifier.verify(credentials, "")  # the central system's own check: no 401
    assert verifier.verify(credentials, _secret(response.text))  # a password still works


async def test_without_the_mode_an_empty_password_is_refused(wizard: Wizard) -> None:
    response = await wizard.post("/connect/ocpp", {"charge_point_id": "garage-2"})
    assert response.status_code == 200
    assert 'data-testid="empty-password-mode"' not in response.text
    assert 'data-testid="wallbox-ocpp-steps"' not in response.text
    credentials = _credentials(wizard, "garage-2")
    assert not credentials.allow_empty_password
    assert not SecretVerifier().verify(credentials, "")


async def test_a_refused_id_keeps_the_choice(wizard: Wizard) -> None:
    response = await wizard.post(
        "/connect/ocpp", {"charge_point_id": "bad id/", "allow_empty_password": "true"}
    )
    assert response.status_code == 422
    assert "a charge point id is 1-48 characters" in response.text
    assert 'data-testid="allow-empty-password" checked' in response.text


def test_the_cli_registers_through_the_same_service() -> None:
    runner = CliRunner()
    added = runner.invoke(cli_app, ["ocpp", "add", "pulsar-2", "--allow-empty-password"])
    assert added.exit_code == 0, added.output
    assert "only on a trusted home network" in added.output
    refused = runner.invoke(cli_app, ["ocpp", "add", "bad id/"])
    assert refused.exit_code == 2  # a usage error, as for every bad argument
    assert "a charge point id is 1-48 characters" in refused.output
    database = open_database(Settings())
    try:
        with database.session() as session:
            credentials = OcppChargerRepository(session, SystemClock()).credentials("pulsar-2")
    finally:
        database.dispose()
    assert credentials is not None
    assert credentials.allow_empty_password
