"""The book's database: the only package that imports SQLAlchemy.

`open_database(settings)` gives a `Database` (engine + sessions, SQLite migrated on open);
repositories in `chargebook.db.repositories` map rows to domain types; the caller owns the
transaction (`with database.transaction() as session: ...`).
"""

from chargebook.db.database import Database, open_database
from chargebook.db.exceptions import DatabaseError, DatabaseUnavailableError, SchemaOutdatedError
from chargebook.db.repositories import (
    AuditLogRepository,
    ChargerRepository,
    SampleRepository,
    SessionRepository,
    UserRepository,
    WallboxAccountRepository,
)

__all__ = [
    "AuditLogRepository",
    "ChargerRepository",
    "Database",
    "DatabaseError",
    "DatabaseUnavailableError",
    "SampleRepository",
    "SchemaOutdatedError",
    "SessionRepository",
    "UserRepository",
    "WallboxAccountRepository",
    "open_database",
]
