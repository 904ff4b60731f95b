"""`chargebook ere ...` end to end on the SQLite book of the isolated data directory: set-up
commands, metering detection and follow-ups, eligibility, a batch from creation to export,
statements (CSV + PDF), payouts and the SAP import."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from chargebook.cli.app import app
from chargebook.clock import FixedClock
from chargebook.db import Database, open_database
from chargebook.settings import load_settings
from ere_book.helpers import NOW, BookBuilder, daily_records, make_ean, mid_charger, plain_charger

EAN = make_ean("40000000000001")
SAP_EAN = make_ean("40000000000099")
ADDRESS = [
    "--street",
    "Dorpsstraat",
    "--number",
    "12",
    "--postal-code",
    "1234 AB",
    "--city",
    "Utrecht",
]
SECRETS = [b"SECRET-PASSWORD-CIPHERTEXT", b"SECRET-TOKEN-CIPHERTEXT", b"$argon2id$"]


@pytest.fixture
def database(isolated_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setenv("COLUMNS", "220")  # wide Rich tables: no wrapped words in assertions
    # The builder adds an encrypted Wallbox account: the key must exist (payout IBANs use it).
    monkeypatch.setenv("CHARGEBOOK_SECRET_KEY", Fernet.generate_key().decode())
    database = open_database(load_settings())
    yield database
    database.dispose()


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, ["ere", *args])
    assert result.exit_code == code, result.output
    return result.output


def test_from_setup_to_paid_statement(database: Database, tmp_path: Path) -> None:
    book = BookBuilder(database, FixedClock(NOW))
    book.sync([mid_charger("901"), plain_charger("902")], daily_records("901", "m", 250, "10"))
    book.user("anna@example.com")
    mid, plain = book.charger_id("901"), book.charger_id("902")

    out = run(
        "connection",
        "add",
        "--ean",
        EAN,
        "--customer",
        "anna@example.com",
        "--name",
        "A. Jansen",
        *ADDRESS,
        "--charger",
        str(mid),
    )
    assert EAN in out
    bad = EAN[:-1] + str((int(EAN[-1]) + 1) % 10)
    assert "check_digit" in run(
        "connection",
        "add",
        "--ean",
        bad,
        "--customer",
        "anna@example.com",
        "--name",
        "A",
        *ADDRESS,
        code=1,
    )

    out = run("metering", "detect", "--since", "2025-12-31")
    assert "qualifies" in out
    assert "needs upgrade" in out
    out = run("followups")
    assert "upgrade_quote" in out
    assert "sap_guidance" in out
    assert "in_progress" in run("followups", "set", "1", "in_progress", "--note", "quote sent")
    assert "integrated_mid" in run("metering")

    run(
        "mandate",
        "add",
        "--ean",
        EAN,
        "--from-year",
        "2026",
        "--to-year",
        "2026",
        "--signed-by",
        "A. Jansen",
        "--signed-on",
        "2026-01-02",
        "--consent-grid-data",
        "--consent-verifier-visit",
    )
    out = run(
        "mandate",
        "add",
        "--ean",
        EAN,
        "--from-year",
        "2026",
        "--to-year",
        "2027",
        "--signed-by",
        "A. Jansen",
        "--signed-on",
        "2026-01-02",
        "--provider",
        "other",
        code=1,
    )
    assert "one per EAN per calendar year" in out

    out = run("eligibility", "2026", "--now", "2027-01-15", "--quiet")
    assert "250 of 250 sessions eligible" in out
    assert "831.7 ERE" in out

    out = run("batch", "create", "2026", "--now", "2027-01-15", "--quiet")
    assert "831.7" in out
    run("batch", "export", "1", "-o", str(tmp_path), code=1)  # a draft cannot be exported
    assert "finalized" in run("batch", "finalize", "1")
    assert "--corrects 1" in run(
        "batch", "create", "2026", "--now", "2027-01-15", "--quiet", code=1
    )

    out = run("batch", "export", "1", "-o", str(tmp_path / "export"))
    export = tmp_path / "export"
    rows = list(csv.DictReader((export / "ere-batch-1.csv").open()))
    assert [(r["ean"], r["energy_kwh"], r["ere"], r["mandate_signed_on"]) for r in rows] == [
        (EAN, "2500.000000", "831.700", "2026-01-02")
    ]
    document = json.loads((export / "ere-batch-1.json").read_text())
    manifest_text = (export / "ere-batch-1.manifest.json").read_text()
    assert (
        hashlib.sha256(manifest_text.encode()).hexdigest() == document["batch"]["manifest_sha256"]
    )
    assert json.loads(manifest_text)["session_count"] == 250
    packs = list((export / "evidence").glob("*.zip"))
    assert len(packs) == 1
    with zipfile.ZipFile(packs[0]) as pack:
        names = set(pack.namelist())
        assert {"sessions.csv", "metering.json", "mandates.json", "README.txt"} <= names
        sessions = list(csv.DictReader(io.StringIO(pack.read("sessions.csv").decode())))
        assert len(sessions) == 250
        for row in sessions[:20]:
            assert hashlib.sha256(pack.read(row["raw_file"])).hexdigest() == row["raw_sha256"]
        metering = json.loads(pack.read("metering.json"))
        assert metering[0]["constructs"][0]["mid_serial"] == "MID-901"
        assert "MID meter" in metering[0]["constructs"][0]["explanation"]
        everything = b"".join(pack.read(name) for name in names)
    for path in export.rglob("*"):
        if path.is_file():
            everything += path.read_bytes()
    for secret in SECRETS:
        assert secret not in everything

    assert "no price per ERE" in run("statements", "2026", code=1)
    run("price", "set", "2026", "0.489")
    out = run("statements", "2026", "-o", str(tmp_path / "statements"))
    assert "1 new statement" in out
    assert "325.36" in out  # 831.7 ERE x 0.489 = 406.70 gross, 81.34 fee (20 %)
    pdfs = list((tmp_path / "statements").glob("*.pdf"))
    assert len(pdfs) == 1
    assert pdfs[0].read_bytes().startswith(b"%PDF")
    statement_csv = (tmp_path / "statements" / "statements-2026.csv").read_text()
    assert "2026-01=270;2026-02=280;2026-03=310" in statement_csv  # 10 kWh a day from 5 Jan
    assert "0 new statement" in run("statements", "2026")

    assert "pending: EUR 325.36" in run("payouts")
    # No IBAN yet: nothing to pay to.
    refused = run("payouts", "mark-paid", "1", "--reference", "NL-TRANSFER-1", code=1)
    assert "has not entered payout details" in refused
    out = run(
        "payout-account", "set", "--customer", "anna@example.com",
        "--iban", "nl91 abna 0417 1643 00", "--holder", "A. Jansen",
    )  # fmt: skip
    assert "NL** **** **** **43 00 (A. Jansen, BIC ABNANL2A)" in out
    assert "NL91ABNA0417164300" not in run("payouts")
    assert "paid" in run("payouts", "mark-paid", "1", "--reference", "NL-TRANSFER-1")
    run("payouts", "mark-paid", "1", code=1)
    assert "pending: EUR 0.00" in run("payouts")
    assert plain != mid


def test_sap_import_cross_checks_the_chargers_behind_the_meter(
    database: Database, tmp_path: Path
) -> None:
    book = BookBuilder(database, FixedClock(NOW))
    start = datetime(2026, 1, 2, 17, 0, tzinfo=UTC)
    records = daily_records("903", "s", 80, "10", first=start)  # 2 Jan .. 21 Mar: 800 kWh in Q1
    book.sync([plain_charger("903")], records)
    book.user("sam@example.com")
    charger = book.charger_id("903")
    run(
        "connection",
        "add",
        "--ean",
        EAN,
        "--customer",
        "sam@example.com",
        "--name",
        "S. Smit",
        *ADDRESS,
        "--charger",
        str(charger),
    )
    run(
        "metering",
        "set",
        str(charger),
        "--kind",
        "sap",
        "--from",
        "2025-12-01",
        "--sap-ean",
        SAP_EAN,
        "--mid-serial",
        "SAP-METER-1",
        "--evidence",
        "grid operator's SAP confirmation",
    )
    out = run("metering", "detect")
    assert "needs upgrade" in out  # the Pulsar Plus itself, but the operator's SAP stays
    assert "sap" in run("metering")

    readings = tmp_path / "sap.csv"
    readings.write_text(
        "timestamp,register_kwh\n"
        "2026-01-01T00:00:00+01:00,1000.0\n"
        "2026-04-01T00:00:00+02:00,1808.0\n"  # 808 kWh: 1 % above the sessions' 800
        "2026-07-01T00:00:00+02:00,1900.0\n"  # Q2: 92 kWh, no sessions: flagged
    )
    out = run("sap-import", str(readings), "--ean", SAP_EAN)
    assert "3 new of 3 readings" in out
    lines = {line.split()[1]: line for line in out.splitlines() if "2026-Q" in line}
    assert "ok" in lines["2026-Q1"]
    assert "above 2 %" in lines["2026-Q2"]
    assert "0 new of 3" in run("sap-import", str(readings), "--ean", SAP_EAN)

    broken = tmp_path / "broken.csv"
    broken.write_text("timestamp,register_kwh\n2026-01-01T00:00:00,5\n")
    assert "line 2" in run("sap-import", str(broken), "--ean", SAP_EAN, code=1)
