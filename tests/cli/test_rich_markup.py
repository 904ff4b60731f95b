"""Text from clouds and users is printed as it is, never read as Rich markup (issue 14).

A charger named `[/x] garage` crashed `chargebook wallbox chargers` with a MarkupError
traceback, and `[link=...]` turned a name into a terminal link. The names come from the
myWallbox app (the owner or anyone the charger is shared with), so they are hostile input.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from rich.text import Text
from typer.testing import CliRunner

from chargebook.cli.app import app
from chargebook.cli.console import plain_console, styled
from chargebook.clock import SystemClock
from chargebook.simulator.serve import ServedApp
from chargebook.simulator.wallbox import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    SimulatorConfig,
    WallboxSimulator,
)

NAMES = ("[/x] garage", "[link=http://evil.example]Carport[/link]", "[bold red]drive")
runner = CliRunner()


@pytest.fixture(scope="module")
def hostile_sim() -> Iterator[tuple[WallboxSimulator, str]]:
    config = SimulatorConfig(
        seed=11, accounts=1, chargers_per_account=3, days=5, latency_ms=0, partner_mode=True
    )
    sim = WallboxSimulator(config, clock=SystemClock())
    for charger_id, name in zip(sim.charger_ids(DEMO_EMAIL), NAMES, strict=True):
        sim.chargers[charger_id] = dataclasses.replace(sim.chargers[charger_id], name=name)
    with ServedApp(sim.app) as served:
        yield sim, served.url


@pytest.fixture
def cli_env(
    hostile_sim: tuple[WallboxSimulator, str],
    empty_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> WallboxSimulator:
    sim, url = hostile_sim
    monkeypatch.setenv("CHARGEBOOK_DATABASE_URL", empty_database_url)
    for name in ("CHARGEBOOK_WALLBOX_API_URL", "CHARGEBOOK_WALLBOX_AUTH_URL"):
        monkeypatch.setenv(name, url)
    monkeypatch.setenv("CHARGEBOOK_WALLBOX_PARTNER_MODE", "true")
    monkeypatch.setenv("CHARGEBOOK_WALLBOX_MAX_RETRIES", "0")
    monkeypatch.setenv("CHARGEBOOK_WALLBOX_EMAIL", DEMO_EMAIL)
    monkeypatch.setenv("CHARGEBOOK_WALLBOX_PASSWORD", DEMO_PASSWORD)
    return sim


def run(*args: str) -> str:
    # Wide enough that no name is wrapped, so it can be found whole in the output.
    result = runner.invoke(app, list(args), env={"COLUMNS": "250"})
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_cloud_names_print_verbatim_in_every_listing(cli_env: WallboxSimulator) -> None:
    outputs = [run("wallbox", "chargers")]
    for charger_id in cli_env.charger_ids(DEMO_EMAIL):
        outputs.append(run("wallbox", "status", str(charger_id)))
    run("db", "upgrade")
    run("accounts", "add", "--email", DEMO_EMAIL, "--password", DEMO_PASSWORD)
    run("sync", "--quiet")
    outputs += [run("chargers", "list"), run("sessions")]
    listings = "\n".join(outputs)
    for name in NAMES:
        assert name in listings, name


def test_styled_words_are_never_parsed() -> None:
    console = plain_console()
    with console.capture() as captured:
        console.print("[/x] garage", styled("[bold]as typed[/bold]", "red"))
    assert captured.get().strip() == "[/x] garage [bold]as typed[/bold]"
    assert isinstance(styled("x", "red"), Text)
