"""The one rule for spreadsheet cells (`chargebook.spreadsheet_cells`, issue 14)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal

from openpyxl import Workbook

from chargebook.spreadsheet_cells import SafeCsvWriter, SafeDictWriter, append_row, safe_text
from security.spreadsheets import (
    AS_CSV_TEXT,
    INNER_PAYLOADS,
    PAYLOADS,
    csv_cells,
    live_csv_cells,
    live_xlsx_cells,
)


def test_text_starting_like_a_formula_gets_a_quote_and_nothing_else_changes() -> None:
    for payload in PAYLOADS:
        assert safe_text(payload) == AS_CSV_TEXT[payload]
    # A cell that a `;` locale or a line break would start inside the text.
    assert safe_text("Garage;=1+1") == "Garage;'=1+1"
    assert safe_text("Garage\n@SUM(A1)") == "Garage\n'@SUM(A1)"
    assert safe_text('Garage;"=1') == "Garage;'\"=1"
    assert safe_text("2026-01=12.5;2026-02=-3") == "2026-01=12.5;2026-02=-3"  # months_kwh
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    for value in ("Garage", "", "a=b", "'quoted", -1, -2.5, Decimal("-0.08"), None, True, moment):
        assert safe_text(value) == value


def test_csv_writers_neutralise_every_row_and_quote_line_breaks() -> None:
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(["name", "amount"])
    writer.writerows([[payload, Decimal("-1.5")] for payload in PAYLOADS + INNER_PAYLOADS])
    writer.writerow(["a\rb", "c\nd"])  # a break inside a cell must not start a row
    assert live_csv_cells(out.getvalue()) == []
    cells = csv_cells(out.getvalue())
    assert cells.count("-1.5") == len(PAYLOADS + INNER_PAYLOADS)
    assert cells[-2:] == ["a\rb", "c\nd"]

    out = io.StringIO()
    dicts = SafeDictWriter(out, fieldnames=("name", "amount"))
    dicts.writeheader()
    dicts.writerows({"name": payload, "amount": -3} for payload in PAYLOADS)  # not via writerow
    assert live_csv_cells(out.getvalue()) == []
    assert csv_cells(out.getvalue()).count("-3") == len(PAYLOADS)


def test_xlsx_rows_have_text_cells_and_numbers() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for payload in PAYLOADS:
        append_row(sheet, [payload, -1.5, None])
    out = io.BytesIO()
    book.save(out)
    assert live_xlsx_cells(out.getvalue()) == []
    for row in sheet.iter_rows():
        assert (row[0].data_type, row[0].number_format, row[0].quotePrefix) == ("s", "@", True)
        assert (row[1].data_type, row[1].value) == ("n", -1.5)
