"""`chargebook ocpp add|claim|list` and `chargebook simulator ocpp` against a served central
system (in a thread with its own event loop)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chargebook.central_system import CentralSystem
from chargebook.cli.app import app
from chargebook.clock import SystemClock
from chargebook.db import SessionRepository, UserRepository, open_database
from chargebook.settings import Settings

runner = CliRunner()


@pytest.fixture
def settings(isolated_data_dir: Path) -> Settings:
    settings = Settings()
    database = open_database(settings)
    with database.transaction() as session:
        UserRepository(session, SystemClock()).create(email="owner@example.com", password_hash="!")
    database.dispose()
    return settings


def test_add_prints_the_secret_once_and_list_never(settings: Settings) -> None:
    added = runner.invoke(app, ["ocpp", "add", "CP-9", "--owner", "owner@example.com"])
    assert added.exit_code == 0, added.output
    secret = added.output.split("password: ")[1].split()[0]
    assert len(secret) == 32
    listed = runner.invoke(app, ["ocpp", "list"])
    assert listed.exit_code == 0
    assert "CP-9" in listed.output
    assert "owner@example.com" in listed.output
    assert secret not in listed.output
    again = runner.invoke(app, ["ocpp", "add", "CP-9"])
    assert again.exit_code == 1
    assert "already registered" in again.output


def test_add_prints_the_address_the_connect_page_shows(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    guessed = runner.invoke(app, ["ocpp", "add", "CP-7"])
    assert guessed.exit_code == 0, guessed.output
    assert f"address:  ws://localhost:{settings.ocpp_port}/CP-7" in guessed.output
    assert "CHARGEBOOK_OCPP_PUBLIC_URL" in guessed.output  # no charger can dial localhost
    monkeypatch.setenv("CHARGEBOOK_OCPP_PUBLIC_URL", "wss://ocpp.example.nl/cp/")
    configured = runner.invoke(app, ["ocpp", "add", "CP-6"])
    assert configured.exit_code == 0, configured.output
    assert "address:  wss://ocpp.example.nl/cp/CP-6" in configured.output
    assert "CHARGEBOOK_OCPP_PUBLIC_URL" not in configured.output


def test_claim_an_unclaimed_charger(settings: Settings) -> None:
    assert runner.invoke(app, ["ocpp", "add", "CP-8", "--allow-empty-password"]).exit_code == 0
    assert "unclaimed" in runner.invoke(app, ["ocpp", "list"]).output
    claimed = runner.invoke(app, ["ocpp", "claim", "CP-8", "--owner", "owner@example.com"])
    assert claimed.exit_code == 0, claimed.output
    unknown = runner.invoke(app, ["ocpp", "claim", "CP-7", "--owner", "owner@example.com"])
    assert unknown.exit_code == 1


@pytest.fixture
def served(settings: Settings) -> Iterator[int]:
    """A central system on a free port in a background thread; yields the port."""
    database = open_database(settings)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop = asyncio.Event()
    port: list[int] = []

    async def main() -> None:
        async with CentralSystem(settings, database) as central:
            port.append(await central.start("127.0.0.1", 0))
            ready.set()
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    assert ready.wait(10)
    yield port[0]
    loop.call_soon_threadsafe(stop.set)
    thread.join(10)
    database.dispose()


def test_simulator_cli_charges_two_points_into_the_book(served: int, settings: Settings) -> None:
    for cp_id in ("SIMCLI-0001", "SIMCLI-0002"):
        assert runner.invoke(app, ["ocpp", "add", cp_id, "--allow-empty-password"]).exit_code == 0
    result = runner.invoke(
        app,
        [
            "simulator", "ocpp", "--url", f"ws://127.0.0.1:{served}/SIMCLI", "--count", "2",
            "--sessions", "1", "--time-scale", "3600", "--meter-interval", "300",
            "--real-variants", "0.5",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    database = open_database(settings)
    try:
        with database.session() as session:
            books = SessionRepository(session).list()
    finally:
        database.dispose()
    assert sorted(b.external_id.split(":")[0] for b in books) == ["SIMCLI-0001", "SIMCLI-0002"]
    assert all(b.energy_kwh is not None and b.energy_kwh > 0 for b in books)


def test_simulator_cli_runs_ocpp_2_0_1_stations_into_the_book(
    served: int, settings: Settings
) -> None:
    assert runner.invoke(app, ["ocpp", "add", "SIM201", "--allow-empty-password"]).exit_code == 0
    result = runner.invoke(
        app,
        [
            "simulator", "ocpp", "--url", f"ws://127.0.0.1:{served}/SIM201", "--sessions", "1",
            "--time-scale", "3600", "--meter-interval", "300", "--ocpp-version", "2.0.1",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    database = open_database(settings)
    try:
        with database.session() as session:
            [book] = SessionRepository(session).list()
            raw = SessionRepository(session).get_raw_payload(book.id)
    finally:
        database.dispose()
    assert book.external_id.startswith("SIM201:")
    assert book.energy_kwh is not None
    assert book.energy_kwh > 0
    assert raw["ocppVersion"] == "2.0.1"
    assert {frame[2] for frame in raw["frames"]} == {"TransactionEvent"}


def test_simulator_cli_refuses_an_unknown_ocpp_version() -> None:
    result = runner.invoke(
        app, ["simulator", "ocpp", "--url", "ws://127.0.0.1:1/X", "--ocpp-version", "1.5"]
    )
    assert result.exit_code == 2
    assert "1.6 or 2.0.1" in result.output
