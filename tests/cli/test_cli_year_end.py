"""`chargebook ere year-end` and `chargebook ere mandate pdf` on the isolated data directory:
the same figures the service gives the console's year-end page."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from chargebook.cli.app import app
from chargebook.clock import FixedClock
from chargebook.db import Database, open_database
from chargebook.db.ere.store import EreStore
from chargebook.settings import load_settings
from ere_book.helpers import NOW, BookBuilder, daily_records, mid_charger


@pytest.fixture
def database(isolated_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setenv("COLUMNS", "220")
    database = open_database(load_settings())
    yield database
    database.dispose()


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, ["ere", *args])
    assert result.exit_code == code, result.output
    return result.output


def test_year_end_and_mandate_pdf(database: Database, tmp_path: Path) -> None:
    book = BookBuilder(database, FixedClock(NOW))
    book.sync([mid_charger("901")], daily_records("901", "m", 3, "10"))
    customer = book.customer("anna@example.com", "40000000000001", ["901"])

    out = run("year-end", "--year", "2026", "--now", "2027-01-15")
    assert "Year-end 2026 (today 2027-01-15)" in out
    for day in ("2027-02-26", "2027-03-31", "2027-04-30"):
        assert day in out
    assert "[sessions_waiting] 3 eligible sessions (30 kWh) wait to be batched" in out
    assert "DUE SOON" not in out  # 42 days to the booking deadline

    run("batch", "create", "2026-Q1", "--now", "2027-01-15", "--quiet")
    out = run("year-end", "--year", "2026", "--now", "2027-02-20")
    assert "[batch_draft] batch 1 (2026-Q1) is a draft: finalize or discard it" in out
    assert "DUE SOON" in out

    with database.session() as session:
        mandate_id = EreStore(session, book.clock).mandates.list()[0].id
    target = tmp_path / "m.pdf"
    out = run("mandate", "pdf", str(mandate_id), "--output", str(target))
    data = target.read_bytes()
    assert hashlib.sha256(data).hexdigest() in out
    text = " ".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())
    assert customer.ean in text
    assert "ends on 2027-12-31" in text
    assert "no mandate with id 999" in run("mandate", "pdf", "999", code=1)
