"""Repositories: ORM rows in, domain dataclasses out; they add and flush, never commit."""

from chargebook.db.repositories.audit import AuditLogRepository
from chargebook.db.repositories.chargers import ChargerRepository
from chargebook.db.repositories.samples import SampleRepository
from chargebook.db.repositories.sessions import SessionRepository
from chargebook.db.repositories.users import UserRepository
from chargebook.db.repositories.wallbox_accounts import WallboxAccountRepository

__all__ = [
    "AuditLogRepository",
    "ChargerRepository",
    "SampleRepository",
    "SessionRepository",
    "UserRepository",
    "WallboxAccountRepository",
]
