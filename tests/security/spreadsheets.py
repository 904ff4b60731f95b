"""What a formula injection looks like in a CSV or XLSX file, for the export tests.

A spreadsheet runs a text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
return (OWASP "CSV injection"). The checks read files the way a spreadsheet would: every CSV
cell starting with one of those that is not a plain number is live, both as a comma-separated
reader sees the cells and as Excel in a `;` locale (the Dutch one) does, splitting every line
at `;` and at every line break whatever the quotes; and every XLSX cell openpyxl reads back as
a formula (or any `<f>` element in a sheet's XML) is live.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

from openpyxl import load_workbook

# Names a hostile cloud account, charge point or sign-up could give (issue 14).
PAYLOADS = ('=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1")
# How each is written into a CSV cell (the CR is also a line break inside the text).
AS_CSV_TEXT = {payload: "'" + payload for payload in PAYLOADS} | {"\r=1": "'\r'=1"}
# Formulas that start a cell inside a text, for a `;`-splitting spreadsheet.
INNER_PAYLOADS = ("Garage;=1+1", "Garage\n@SUM(A1)", 'Garage;"=1', "Garage\r\n-2+3")
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")


def csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def _live(cell: str) -> bool:
    return cell.startswith(TRIGGERS) and not _NUMBER.match(cell)


def live_csv_cells(text: str) -> list[str]:
    """The CSV cells a spreadsheet would evaluate (numbers such as -1.5 are not formulas)."""
    comma = [cell for cell in csv_cells(text) if _live(cell)]
    # A `;` locale: cells split at `;` and lines at any break, quotes only open a cell.
    segments = (part for line in re.split(r"\r\n|\r|\n", text) for part in line.split(";"))
    semicolon = [part for part in segments if _live(part.lstrip('"'))]
    return comma + semicolon


def live_xlsx_cells(data: bytes) -> list[str]:
    """The XLSX cells that are formulas, by openpyxl's reading and by the raw sheet XML."""
    book = load_workbook(io.BytesIO(data))
    found = [
        f"{sheet.title}!{cell.coordinate}={cell.value!r}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and re.search(rb"<f[ >]", archive.read(name)):
                found.append(f"{name}: <f> element")
    return found


def text_cells_of_xlsx(data: bytes) -> dict[str, tuple[str, bool]]:
    """value -> (data type, quote prefix) of every text cell."""
    book = load_workbook(io.BytesIO(data))
    return {
        cell.value: (cell.data_type, bool(cell.quotePrefix))
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }
