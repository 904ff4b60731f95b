"""`chargebook ere connection ...`: a Wallbox Copper SB and an OCPP charger on one EAN (the
second one is one command and its mandate covers it), the same EAN refused to another
customer without naming the holder, and the connected party's verification."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chargebook.cli.app import app
from chargebook.clock import FixedClock
from chargebook.db import Database, open_database
from chargebook.ocpp_registration import register_ocpp_charger
from chargebook.settings import load_settings
from ere_book.helpers import NOW, BookBuilder, make_ean, mid_charger, plain_charger

EAN = make_ean("42000000000001")
ADDRESS = ["--street", "Dorpsstraat", "--number", "12", "--postal-code", "1234 AB"]
ADDRESS += ["--city", "Utrecht"]


@pytest.fixture
def database(isolated_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setenv("COLUMNS", "240")  # wide Rich tables: no wrapped words in assertions
    database = open_database(load_settings())
    yield database
    database.dispose()


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, ["ere", *args])
    assert result.exit_code == code, result.output
    return result.output


def _add(customer: str, charger: int, code: int = 0) -> str:
    return run(
        "connection", "add", "--ean", EAN, "--customer", customer, "--name", "A. Jansen",
        *ADDRESS, "--charger", str(charger), code=code,
    )  # fmt: skip


def test_two_chargers_of_two_sources_on_one_ean_under_one_mandate(database: Database) -> None:
    book = BookBuilder(database, FixedClock(NOW))
    book.sync([mid_charger("951"), plain_charger("952")], [])
    book.user("anna@example.com")
    book.user("bob@example.com")
    copper, pulsar = book.charger_id("951"), book.charger_id("952")
    garage = register_ocpp_charger(database, book.clock, "garage-951", owner_user_id=None)

    assert "no mandate yet" in _add("anna@example.com", copper)
    run(
        "mandate", "add", "--ean", EAN, "--from-year", "2026", "--to-year", "2026",
        "--signed-by", "A. Jansen", "--signed-on", "2026-11-20", "--consent-grid-data",
        "--consent-verifier-visit",
    )  # fmt: skip
    # The same EAN again for the same customer attaches (before: "EAN ... already recorded").
    out = _add("anna@example.com", garage.charger_id)
    assert f"chargers {copper}, {garage.charger_id}; mandate for 2026" in out
    out = run("connection", "link", EAN, str(pulsar))
    assert f"chargers {sorted([copper, garage.charger_id, pulsar])}; mandate for 2026" in out
    assert run("mandate", "list").count(EAN) == 1

    refused = _add("bob@example.com", copper, code=1)
    assert "already registered by another customer" in refused
    assert "one service provider per EAN per calendar year" in refused
    assert "anna" not in refused
    assert "Jansen" not in refused


def test_the_connected_partys_verification_from_the_cli(database: Database) -> None:
    book = BookBuilder(database, FixedClock(NOW))
    book.sync([mid_charger("961")], [])
    book.user("anna@example.com")
    _add("anna@example.com", book.charger_id("961"))
    assert "not verified" in run("connection", "list")
    out = run(
        "connection", "verify", EAN, "--method", "grid_operator_letter", "--by", "Op. Erator",
        "--on", "2026-03-02", "--note", "Stedin letter 2026-02",
    )  # fmt: skip
    assert "verified by Op. Erator on 2026-03-02 (grid operator letter)" in out
    listed = run("connection", "list")
    assert "grid operator letter, 2026-03-02, Op. Erator" in listed
    assert "not verified" not in listed
    bad = run("connection", "verify", EAN, "--method", "phone", "--by", "x", code=1)
    assert "energy_bill" in bad  # names the accepted methods
    assert "YYYY-MM-DD" in run(
        "connection", "verify", EAN, "--method", "energy_bill", "--by", "x", "--on", "2.3.26",
        code=2,
    )  # fmt: skip
