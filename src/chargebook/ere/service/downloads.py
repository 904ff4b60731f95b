"""A statement's files for a download (the web): the same bytes `write_statement_files`
writes for the CLI and the worker, drawn in a temporary folder."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere_book import StoredStatement
from chargebook.ere.service.statement_files import statement_party, statement_pdf_name
from chargebook.ere.service.statement_pdf import render_statement_pdf
from chargebook.ere.service.statements import write_statements_csv


def statement_pdf_bytes(store: EreStore, statement: StoredStatement) -> bytes:
    """One statement's PDF, drawn exactly as `write_statement_files` writes it."""
    with tempfile.TemporaryDirectory(prefix="chargebook-statement-") as folder:
        path = Path(folder) / statement_pdf_name(statement)
        return render_statement_pdf(statement, statement_party(store, statement), path).read_bytes()


def statements_csv_text(statements: Sequence[StoredStatement]) -> str:
    """The statements as the CSV `write_statement_files` writes (for a download)."""
    with tempfile.TemporaryDirectory(prefix="chargebook-statements-") as folder:
        path = write_statements_csv(list(statements), Path(folder) / "statements.csv")
        return path.read_text("utf-8")
