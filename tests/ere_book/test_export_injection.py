"""Formula injection through the ERE files (issue 14): a batch's registration CSV, the
evidence pack's CSVs and the statements CSV neutralise text that starts like a formula (a
party name, an address, an e-mail) and keep amounts as numbers."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import Address, DeliveryPeriod
from chargebook.ere.service import create_batch, finalize_batch, generate_statements
from chargebook.ere.service.exports import export_batch
from chargebook.ere.service.statement_files import write_statement_files
from security.spreadsheets import csv_cells, live_csv_cells

from .helpers import NOW, PARAMETERS, BookBuilder, mid_charger

START = datetime(2026, 2, 1, 6, 0, tzinfo=UTC)
EMAIL = '=hyperlink("http://x","y")@example.com'  # stored lower-cased
PARTY = "@SUM(A1)"
ADDRESS = Address("-2+3", "+1", "1234 AB", "=1+1 City")


def _finalized_batch(book: BookBuilder, party: str = PARTY) -> int:
    book.sync([mid_charger("901")], [])
    charger = book.charger_id("901")
    book.customer(EMAIL, "40000000000001", ["901"], connected_party_name=party, address=ADDRESS)
    book.insert_sessions(charger, [(f"-{n}+1", START + timedelta(days=n), 60, "8")
                                   for n in range(3)])  # fmt: skip
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        batch = create_batch(store, DeliveryPeriod(2026, 1), parameters=PARAMETERS, now=NOW).batch
        finalize_batch(store, batch.id)
    return batch.id


def test_batch_export_and_evidence_csvs_hold_no_formula(book: BookBuilder, tmp_path: Path) -> None:
    batch_id = _finalized_batch(book)
    with book.database.transaction() as session:
        done = export_batch(EreStore(session, book.clock), batch_id, tmp_path)
    registration = done.csv_path.read_text("utf-8")
    assert live_csv_cells(registration) == []
    cells = csv_cells(registration)
    for text in (EMAIL, PARTY, ADDRESS.street, ADDRESS.house_number, ADDRESS.city):
        assert "'" + text in cells, repr(text)  # shown as text, nothing lost
    assert "24" in {c.split(".")[0] for c in cells}  # 3 x 8 kWh: a number, not '24
    assert done.evidence_paths
    for pack in done.evidence_paths:
        with zipfile.ZipFile(pack) as archive:
            members = [name for name in archive.namelist() if name.endswith(".csv")]
            assert members
            for name in members:
                assert live_csv_cells(archive.read(name).decode("utf-8")) == [], name


def test_statements_csv_neutralises_the_email(book: BookBuilder, tmp_path: Path) -> None:
    _finalized_batch(book)
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        store.statements.set_price(DeliveryPeriod(2026, 1), Decimal("0.10"))
        statements = generate_statements(store, DeliveryPeriod(2026, 1))
        paths = write_statement_files(store, statements, tmp_path, label="2026-Q1")
    text = paths[0].read_text("utf-8")
    assert live_csv_cells(text) == []
    assert "'" + EMAIL in csv_cells(text)


def test_statement_pdf_draws_a_dollar_name_as_text(book: BookBuilder, tmp_path: Path) -> None:
    """matplotlib read `$...$` in a name as mathtext and raised on `$\\foo$` (a 500 on the
    statement download, a crash of `ere statements`); the PDF shows the text as typed."""
    _finalized_batch(book, party="$\\foo$ & $x^2$ Jansen")
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        store.statements.set_price(DeliveryPeriod(2026, 1), Decimal("0.10"))
        statements = generate_statements(store, DeliveryPeriod(2026, 1))
        paths = write_statement_files(store, statements, tmp_path, label="2026-Q1")
    (pdf,) = [path for path in paths if path.suffix == ".pdf"]
    assert pdf.read_bytes().startswith(b"%PDF")
