"""Fixtures of the worker tests."""

from __future__ import annotations

import pytest

from chargebook.db import Database
from chargebook.db.core.testing import empty_postgres_tables


@pytest.fixture
def pg_book(request: pytest.FixtureRequest) -> Database:
    """The session's migrated PostgreSQL book, emptied (the job queue's tables included)."""
    shared: Database = request.getfixturevalue("_migrated_postgres")
    empty_postgres_tables(shared.engine)
    return shared
