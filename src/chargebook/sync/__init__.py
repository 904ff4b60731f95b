"""Sync: pulls charger history and live status through the ports into the book.

Imports only `chargebook.domain`, `clock` and `errors` (enforced by tests/sync/test_imports.py).
"""

from chargebook.sync.accounts import AccountSource, SyncLeases
from chargebook.sync.engine import SyncEngine
from chargebook.sync.report import AccountReport, SyncProgress, SyncReport
from chargebook.sync.validation import check_record, raw_sha256, validate_session
from chargebook.sync.windows import SyncConfig

__all__ = [
    "AccountReport",
    "AccountSource",
    "SyncConfig",
    "SyncEngine",
    "SyncLeases",
    "SyncProgress",
    "SyncReport",
    "check_record",
    "raw_sha256",
    "validate_session",
]
