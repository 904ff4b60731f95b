"""Errors of the book's database adapter; no SQLAlchemy or driver exception leaves `db/`.

ChargebookError
 ├── ConfigurationError
 │    └── SchemaOutdatedError      the schema is not at the code's revision: run `db upgrade`
 └── DatabaseError                 the book cannot be read or written
      └── DatabaseUnavailableError cannot connect, or the database is busy (retryable)
"""

from __future__ import annotations

from chargebook.errors import ChargebookError, ConfigurationError


class SchemaOutdatedError(ConfigurationError):
    """The database schema revision differs from the code's; `chargebook db upgrade` fixes it."""


class DatabaseError(ChargebookError):
    """The book cannot be read or written."""


class DatabaseUnavailableError(DatabaseError):
    """The database cannot be reached or stays locked; trying again later can help."""

    retryable = True
