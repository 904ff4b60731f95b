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

import pytest

from chargebook.db import open_database
from chargebook.ere.calculator import round_eur
from chargebook.settings import load_settings
from chargebook.simulator.serve import ServedApp
from chargebook.simulator.wallbox import WallboxSimulator

from .through_cli import CliRun, walk_cli
from .year import FEE, PRICE, Truth, YearOutcome, outcome, simulator, truth


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[WallboxSimulator, str, Truth]]:
    sim = simulator()
    with ServedApp(sim.app) as served:
        yield sim, served.url, truth(sim)


@pytest.fixture
def cli_year(
    world: tuple[WallboxSimulator, str, Truth],
    empty_database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[CliRun, YearOutcome]]:
    _, url, _ = world
    # The CLI runs its own event loop (asyncio.run): in a thread, as from a shell.
    run = asyncio.run(asyncio.to_thread(walk_cli, url, empty_database_url, tmp_path, monkeypatch))
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
    assert expected.copper_q1_sessions and expected.pulsar_q1_sessions  # both charged in Q1
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
    straddling = next(line for line in run.eligibility.splitlines() if "no_metering_constr" in line)
    assert f" {len(expected.copper_straddling)} " in f" {straddling} "
    # Building the batch again registers nothing twice.
    assert run.second_batch[0] != 0 and "finalized" in run.second_batch[1]
    assert run.correcting[0] != 0 and "no eligible, unregistered session" in run.correcting[1]
    assert year.batches == 1
    # The evidence pack, the statement and the paid payout.
    assert [p.name for p in run.evidence] == ["batch-1-customer-1.zip"]
    ere, price, gross, fee, payout, status = year.statement
    assert (ere, price) == (expected.expected_ere, PRICE)
    assert gross == round_eur(ere * PRICE) and fee == round_eur(gross * FEE)  # cents, half up
    assert payout == gross - fee and status == "paid"

