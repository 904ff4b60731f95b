"""Cells of every CSV and XLSX file chargebook writes, safe to open in a spreadsheet.

Charger names, addresses and e-mails come from owners, the Wallbox Cloud and OCPP
BootNotification: a name such as `=HYPERLINK("http://x","y")` would be a live formula in Excel
or LibreOffice ("CSV injection", OWASP). The rule (OWASP's): a *text* cell that starts with
`=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with a single quote, so the
spreadsheet shows it as text. Numbers are numbers: writers pass `int`, `float` and `Decimal`
values as such (a negative amount stays `-1.50`) and only `str` values are neutralised, so a
name `+1` is neutralised while the amount -1.5 is not.

XLSX cells are typed: a text cell is written as a string cell (never a formula, whatever it
starts with), formatted as text (`@`), and one that starts with a trigger carries Excel's own
quote prefix (the XLSX form of typing a leading `'`), so it stays text even when edited.

CSV files end their lines with CRLF (RFC 4180) whatever the platform: the csv module quotes a
field only if it holds a character of the line terminator, so with a bare `\n` terminator a
name holding `\r` was written unquoted and a spreadsheet started a new row (and cell) there.

A cell can also start *inside* a text: Excel in a Dutch (or any `;`-list-separator) locale
opens a comma CSV by splitting every line at `;`, quotes or not, and a quote that does not open
a field is no protection against a line break either. So inside a CSV text cell, a `;`, CR or
LF followed (past any `"`) by a trigger gets a `'` after it too: `Garage;=1+1` is written
`Garage;'=1+1`. XLSX cells are typed and keep the text as it is.

Every writer goes through this module: `safe_text` (the one rule), `SafeCsvWriter` /
`SafeDictWriter` (drop-ins for `csv.writer` / `csv.DictWriter`) and `append_row` (openpyxl).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # the CSV writers (CLI, ERE files) need not import openpyxl
    from openpyxl.worksheet.worksheet import Worksheet

# What a spreadsheet may read as the start of a formula (OWASP's list).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
# Where a spreadsheet may start a new cell or row inside a CSV field, followed by a trigger.
_CELL_START_INSIDE = re.compile(r"([;\r\n])(?=\"*[=+\-@\t\r])")

T = TypeVar("T")

if TYPE_CHECKING:
    _DictWriter = csv.DictWriter[str]
else:  # not subscriptable at run time before Python 3.12
    _DictWriter = csv.DictWriter


def starts_like_formula(text: str) -> bool:
    """Whether a spreadsheet could take the text for a formula."""
    return text.startswith(FORMULA_TRIGGERS)


def safe_text(value: T) -> T | str:
    """`value` as a CSV cell: a text that starts like a formula (or holds `;`, CR or LF followed
    by a trigger) gets a `'` before it (and after those); other values are unchanged.

    Only `str` is touched: numbers, dates, booleans and None are the writer's to format.
    """
    if not isinstance(value, str):
        return value
    text = _CELL_START_INSIDE.sub(r"\1" + QUOTE, value)
    return QUOTE + text if starts_like_formula(text) else text


LINE_TERMINATOR = "\r\n"


class SafeCsvWriter:
    """`csv.writer` (CRLF lines) whose every text cell goes through `safe_text`."""

    def __init__(self, handle: Any) -> None:
        self._writer = csv.writer(handle, lineterminator=LINE_TERMINATOR)

    def writerow(self, row: Iterable[Any]) -> Any:
        """Write one row (as `csv.writer.writerow`)."""
        return self._writer.writerow([safe_text(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write the rows (as `csv.writer.writerows`)."""
        for row in rows:
            self.writerow(row)


class SafeDictWriter(_DictWriter):
    """`csv.DictWriter` (CRLF lines) whose every text cell goes through `safe_text`."""

    def __init__(self, handle: Any, fieldnames: Collection[str]) -> None:
        super().__init__(handle, fieldnames=fieldnames, lineterminator=LINE_TERMINATOR)

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({key: safe_text(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        # csv.DictWriter.writerows bypasses writerow; every row goes through ours.
        for rowdict in rowdicts:
            self.writerow(rowdict)


def append_row(sheet: Worksheet, values: Collection[Any]) -> None:
    """Append a row to an openpyxl sheet with every `str` written as a text cell.

    openpyxl turns any string starting with `=` into a formula; the cell is retyped as a string
    after the append, formatted as text, and quote-prefixed when it starts like a formula.
    """
    sheet.append(list(values))
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        if not isinstance(value, str):
            continue
        cell = sheet.cell(row=row, column=column)
        cell.data_type = "s"
        cell.number_format = "@"
        if starts_like_formula(value):
            cell.quotePrefix = True
