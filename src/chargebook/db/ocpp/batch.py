"""Group commit for the OCPP writer: many small operations in one transaction, each in its own
SAVEPOINT when one fails, so one failing operation does not undo the others."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.exc import OperationalError

from chargebook.clock import Clock
from chargebook.db.core.database import Database
from chargebook.db.core.exceptions import DatabaseUnavailableError
from chargebook.db.ocpp.book import SqlOcppBook
from chargebook.db.ocpp.transactions import OpenTransactions

Outcome = tuple[bool, Any]  # (succeeded, result or the exception)


def run_ocpp_batch(
    database: Database,
    clock: Clock,
    operations: Sequence[Callable[[SqlOcppBook], Any]],
    charger_ids: dict[str, int] | None = None,
    open_transactions: OpenTransactions | None = None,
) -> list[Outcome]:
    """Run the operations in one transaction; one outcome per operation.

    The batch first runs without savepoints (the common case: nothing fails). If an operation
    raises, the batch is rolled back and run again with a SAVEPOINT per operation, so the
    failing one is rolled back alone and its exception returned as its outcome.

    `open_transactions` (the caller's cache, see `OpenTransactions`) gets the batch's changes
    once it committed, and is cleared when the batch did not run as one piece.

    Raises:
        DatabaseUnavailableError: the database cannot be reached or the commit failed; then
            no operation took effect.
    """
    try:
        with database.transaction() as session:
            book = SqlOcppBook(session, clock, charger_ids, open_transactions)
            results = [operation(book) for operation in operations]
            book.flush_pending()
        if open_transactions is not None:
            open_transactions.apply(book.staged)
        return [(True, result) for result in results]
    except DatabaseUnavailableError:
        if open_transactions is not None:
            open_transactions.clear()  # the commit's outcome is unknown
        raise
    except Exception as exc:
        if len(operations) == 1:
            return [(False, exc)]
    if open_transactions is not None:
        open_transactions.clear()  # rebuilt from the database by later batches
    outcomes: list[Outcome] = []
    with database.transaction() as session:
        book = SqlOcppBook(session, clock, charger_ids)
        for operation in operations:
            try:
                with session.begin_nested():
                    result = operation(book)
                    book.flush_pending()
                    outcomes.append((True, result))
            except OperationalError:
                raise  # the connection or lock is gone: the whole batch fails
            except Exception as exc:  # the operation's own failure, kept for its caller
                book.discard_pending()
                outcomes.append((False, exc))
    return outcomes
