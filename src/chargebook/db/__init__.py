"""The book's database: the only package that imports SQLAlchemy, cut by feature.

`open_database(settings)` gives a `Database` (engine + sessions, SQLite migrated on open). Each
feature (book/, ocpp/, smart/, accounts/, ere/) has its `tables.py` and its stores and
repositories, which map rows to domain types; core/ is the infrastructure under them and
`schema` gathers every feature's tables for the migrations. The caller owns the transaction
(`with database.transaction() as session: ...`); outside db/ that session is a `SqlSession`.
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
