"""Which statements a viewer may read, and the credits CSV: the one answer for the web's
credits page and downloads, the REST API and the CLI.

An owner reads their own statements; an operator (`owner_user_id` None) reads everyone's.
A statement that exists but is not the viewer's is a `NotFoundError`, exactly like one that
does not exist, so ids leak nothing.
"""

from __future__ import annotations

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere_book import StoredStatement
from chargebook.ere.service.downloads import statements_csv_text
from chargebook.errors import NotFoundError


def viewer_statements(store: EreStore, owner_user_id: int | None) -> list[StoredStatement]:
    """The statements of customer `owner_user_id` (everyone's for None), by period."""
    return store.statements.list(customer_id=owner_user_id)


def viewer_statement(
    store: EreStore, statement_id: int, owner_user_id: int | None
) -> StoredStatement:
    """One statement, if it is `owner_user_id`'s (any, for None).

    Raises:
        NotFoundError: no such statement, or not the viewer's.
    """
    found = store.statements.list(statement_id=statement_id, customer_id=owner_user_id)
    if not found:
        raise NotFoundError(f"no statement with id {statement_id}")
    return found[0]


def statements_csv_for(store: EreStore, owner_user_id: int | None) -> str:
    """The credits CSV: the viewer's statements as `write_statement_files` writes them."""
    return statements_csv_text(viewer_statements(store, owner_user_id))
