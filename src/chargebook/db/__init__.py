"""The book's database: the only package that imports SQLAlchemy.

`open_database(settings)` gives a `Database` (engine + sessions, SQLite migrated on open);
repositories (one folder per feature: core/, book/, ocpp/, smart/, accounts/, ere/) map rows to
domain types; the caller owns the
transaction (`with database.transaction() as session: ...`).
"""

from chargebook.db.accounts.audit import AuditLogRepository
from chargebook.db.accounts.users import UserRepository
from chargebook.db.accounts.wallbox_accounts import WallboxAccountRepository
from chargebook.db.book.chargers import ChargerRepository
from chargebook.db.book.samples import SampleRepository
from chargebook.db.book.sessions import SessionRepository
from chargebook.db.core.database import Database, SqlSession, open_database
from chargebook.db.core.exceptions import (
    DatabaseError,
    DatabaseUnavailableError,
    SchemaOutdatedError,
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
    "SqlSession",
    "UserRepository",
    "WallboxAccountRepository",
    "open_database",
]
