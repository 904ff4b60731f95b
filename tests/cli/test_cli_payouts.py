"""`chargebook ere payout-account` and the SEPA runs of `chargebook ere payouts`."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from chargebook.cli.app import app
from chargebook.clock import FixedClock
from chargebook.db import Database, open_database
from chargebook.settings import load_settings
from ere_book.helpers import NOW, BookBuilder
from ere_book.payout_world import payout_world


@pytest.fixture
def database(isolated_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setenv("COLUMNS", "220")
    # The builder adds an encrypted Wallbox account: the key must exist (payout IBANs use it).
    monkeypatch.setenv("CHARGEBOOK_SECRET_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("CHARGEBOOK_OPERATOR_NAME", "chargebook B.V.")
    monkeypatch.setenv("CHARGEBOOK_OPERATOR_IBAN", "NL02 ABNA 0123 4567 89")
    database = open_database(load_settings())
    yield database
    database.dispose()


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, ["ere", *args])
    assert result.exit_code == code, result.output
    return result.output


def test_payout_details_then_a_sepa_run_paid_once(database: Database, tmp_path: Path) -> None:
    world = payout_world(BookBuilder(database, FixedClock(NOW)))
    bad = run(
        "payout-account", "set", "--customer", "anna@example.com",
        "--iban", "NL91 ABNA 0417 1643 01", "--holder", "Anna",
    code=1)  # fmt: skip
    assert "NL91 ABNA 0417 1643 01 has a wrong check digit" in bad
    assert "no payout details yet" in run(
        "payout-account", "show", "--customer", "anna@example.com"
    )
    run(
        "payout-account", "set", "--customer", "anna@example.com",
        "--iban", "NL91ABNA0417164300", "--holder", "Anna",
    )  # fmt: skip
    assert "NL** **** **** **43 00 (Anna)" in run(
        "payout-account", "show", "--customer", "anna@example.com"
    )

    xml = tmp_path / "run.xml"
    out = run("payouts", "sepa", "--period", "2026", "-o", str(xml))
    assert "run 1: 1 payout(s)" in out
    assert "left out statement" in out
    assert "no payout details" in out
    assert b"<IBAN>NL91ABNA0417164300</IBAN>" in xml.read_bytes()
    assert f"ERE-2026-S{world.statements['anna']}".encode() in xml.read_bytes()
    # Nothing new to pay: the open run holds anna's payout.
    assert "already in open payout run 1" in run("payouts", "sepa", "-o", str(xml), code=1)
    again = tmp_path / "again.xml"
    run("payouts", "run-file", "1", "-o", str(again))
    assert again.read_bytes() == xml.read_bytes()
    assert "open" in run("payouts", "runs")
    assert "paid" in run("payouts", "run-paid", "1", "--reference", "BANK-1")
    assert "paid already" in run("payouts", "run-paid", "1", code=1)
    listed = run("payouts")
    assert "NL** **** **** **43 00" in listed
    assert "NL91ABNA0417164300" not in listed
    assert Decimal(listed.split("pending: EUR ")[1].split()[0]) > 0  # bram and cees still wait


def test_sepa_needs_the_operator_account(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CHARGEBOOK_OPERATOR_IBAN")
    out = run("payouts", "sepa", "-o", str(tmp_path / "x.xml"), code=8)
    assert "CHARGEBOOK_OPERATOR_IBAN" in out
