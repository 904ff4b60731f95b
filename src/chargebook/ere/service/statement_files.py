"""A period's statements as files: one CSV of all statements and one PDF per statement.

`state_period` is shared by `chargebook ere statements --output DIR` and the worker's
`ere_statements` job, so both write the same files under the same names; the web's downloads
(`downloads.py`) draw the same PDF, naming the same connection (`statement_party`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import DeliveryPeriod
from chargebook.domain.ere_book import StoredStatement
from chargebook.ere.service.statement_pdf import StatementParty, render_statement_pdf
from chargebook.ere.service.statements import generate_statements, write_statements_csv

OPERATOR_NAME = "chargebook"


def statement_party(store: EreStore, statement: StoredStatement) -> StatementParty:
    """Who issues the statement and the customer's connection it names (the first of the
    statement's EANs the customer has, else any of the customer's connections)."""
    connections = store.connections.list(customer_id=int(statement.customer_id))
    chosen = next((c for c in connections if c.connection.ean in statement.eans), None)
    if chosen is None and connections:
        chosen = connections[0]
    return StatementParty(OPERATOR_NAME, chosen.connection if chosen else None)


def statement_pdf_name(statement: StoredStatement) -> str:
    """The file name of a statement's PDF (stable: rewriting it replaces the same file)."""
    s = statement
    return f"statement-{s.period.label}-customer-{s.customer_id}-{s.sequence}.pdf"


def write_statement_files(
    store: EreStore, statements: Sequence[StoredStatement], output: Path, *, label: str
) -> list[Path]:
    """Write `statements-<label>.csv` and one PDF per statement into `output`.

    Returns the paths written. Raises OSError when a file cannot be written.
    """
    written = [write_statements_csv(list(statements), output / f"statements-{label}.csv")]
    for statement in statements:
        party = statement_party(store, statement)
        written.append(
            render_statement_pdf(statement, party, output / statement_pdf_name(statement))
        )
    return written


@dataclass(frozen=True, slots=True)
class StatedPeriod:
    created: list[StoredStatement]  # new now
    listed: list[StoredStatement]  # every statement of the period
    written: list[Path]  # files written (none without an output folder)


def state_period(
    store: EreStore, period: DeliveryPeriod, *, fee_rate: Decimal, output: Path | None
) -> StatedPeriod:
    """State the period's finalized, unstated lines (pending payouts), then (re)write the
    period's CSV and PDFs into `output` when given.

    Raises:
        FeeRateError: the fee rate is not a fraction in [0, 1].
        MissingPriceError: no price per ERE is set for the period.
        OSError: a file cannot be written.
    """
    created = generate_statements(store, period, fee_rate=fee_rate)
    listed = store.statements.list(period=period)
    written = (
        [] if output is None else write_statement_files(store, listed, output, label=period.label)
    )
    return StatedPeriod(created, listed, written)
