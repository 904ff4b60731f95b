"""`chargebook ere metering set --from DATE` records an upgrade date with evidence (a reference
and/or a file kept privately in the data dir), replacing what detection recorded later; it is
refused, with a clear message and no traceback, without evidence or with a future date.
`ere connection kind` records a business customer."""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chargebook.cli.app import app
from chargebook.clock import FixedClock
from chargebook.db import Database, open_database
from chargebook.db.ere.store import EreStore
from chargebook.ere.service import metering_history
from chargebook.settings import load_settings
from ere_book.helpers import NOW, BookBuilder, make_ean, plain_charger

EAN = make_ean("40000000000011")


@pytest.fixture
def database(isolated_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setenv("COLUMNS", "220")
    database = open_database(load_settings())
    yield database
    database.dispose()


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, ["ere", *args])
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.output


def _upgraded_charger(database: Database) -> int:
    """A Pulsar Plus that detection judged today (no MID meter: `none` from now)."""
    book = BookBuilder(database, FixedClock(NOW))
    book.sync([plain_charger("951")], [])
    charger = book.charger_id("951")
    book.customer("olga@example.com", "40000000000011", ["951"], since=None)
    return charger


def _history(database: Database, charger: int) -> list[tuple[str, datetime, str | None]]:
    with database.session() as session:
        store = EreStore(session, FixedClock(NOW))
        return [
            (s.construct.kind.value, s.construct.valid_from, s.evidence_reference)
            for s in metering_history(store, charger)
        ]


def test_an_upgrade_date_with_evidence_is_recorded(
    database: Database, isolated_data_dir: Path, tmp_path: Path
) -> None:
    charger = _upgraded_charger(database)
    assert [kind for kind, _, _ in _history(database, charger)] == ["none"]
    invoice = tmp_path / "invoice-2026-117.pdf"
    invoice.write_bytes(b"%PDF-1.4 the installer's invoice")
    out = run(
        "metering", "set", str(charger), "--kind", "integrated_mid", "--from", "2026-10-01",
        "--mid-serial", "MID-UP-1", "--evidence", "invoice 2026-117, Installer BV",
        "--evidence-file", str(invoice),
    )  # fmt: skip
    assert "integrated_mid from 2026-10-01 00:00" in out
    assert "invoice 2026-117" in out
    # Detection's `none` from the day it looked is replaced: the evidence knows the date.
    assert _history(database, charger) == [
        ("integrated_mid", datetime(2026, 9, 30, 22, tzinfo=UTC), "invoice 2026-117, Installer BV")
    ]
    digest = hashlib.sha256(invoice.read_bytes()).hexdigest()
    kept = isolated_data_dir / "ere-evidence" / f"{digest}.pdf"
    assert kept.read_bytes() == invoice.read_bytes()
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    listing = run("metering")
    assert "invoice-2026-117.pdf" in listing


def test_a_reference_alone_is_evidence_enough(database: Database) -> None:
    charger = _upgraded_charger(database)
    run(
        "metering", "set", str(charger), "--kind", "integrated_mid", "--from", "2026-10-01",
        "--mid-serial", "MID-UP-1", "--evidence", "photo of the meter label, 1 Oct",
    )  # fmt: skip
    assert _history(database, charger)[0][0] == "integrated_mid"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        pytest.param([], "needs evidence", id="no-evidence"),
        pytest.param(["--evidence", "   "], "needs evidence", id="blank-evidence"),
    ],
)
def test_a_date_without_evidence_is_refused(
    database: Database, extra: list[str], message: str
) -> None:
    charger = _upgraded_charger(database)
    out = run(
        "metering", "set", str(charger), "--kind", "integrated_mid", "--from", "2026-10-01",
        "--mid-serial", "MID-UP-1", *extra, code=1,
    )  # fmt: skip
    assert message in out
    assert "Traceback" not in out
    assert [kind for kind, _, _ in _history(database, charger)] == ["none"]


def test_a_future_date_is_refused(database: Database) -> None:
    charger = _upgraded_charger(database)
    out = run(
        "metering", "set", str(charger), "--kind", "integrated_mid", "--from", "2099-01-01",
        "--mid-serial", "MID-UP-1", "--evidence", "quote for next year", code=1,
    )  # fmt: skip
    assert "2099-01-01 is in the future" in out
    assert [kind for kind, _, _ in _history(database, charger)] == ["none"]


def test_a_business_customer_is_recorded(database: Database) -> None:
    _upgraded_charger(database)
    assert "business customer" in run("connection", "kind", EAN, "business")
    assert "private customer" in run("connection", "kind", EAN, "private")
    assert "Invalid value" in run("connection", "kind", EAN, "charity", code=2)


def test_a_date_out_of_range_is_a_usage_error(database: Database) -> None:
    charger = _upgraded_charger(database)
    out = run(
        "metering", "set", str(charger), "--kind", "integrated_mid", "--from", "0001-01-01",
        "--mid-serial", "MID-UP-1", "--evidence", "x", code=2,
    )  # fmt: skip
    assert "is not an ISO date" in out
