"""Errors of the ERE book services. None is retryable unless it says so.

ChargebookError
 └── EreBookError
      ├── NothingToRegisterError   no eligible, unregistered session in the period
      ├── BatchStateError          the batch is in the wrong state for the action
      └── IntegrityCheckError      a batch's totals do not match its sessions
"""

from __future__ import annotations

from chargebook.db.ere.batches import BatchFinalizedError
from chargebook.errors import ChargebookError


class EreBookError(ChargebookError):
    """Base of the ERE book services' errors."""


class NothingToRegisterError(EreBookError):
    """The period has no eligible session that is not registered yet."""


class BatchStateError(EreBookError):
    """The batch is in the wrong state (e.g. exporting a draft, correcting a draft)."""


class IntegrityCheckError(EreBookError):
    """A batch's lines or totals do not equal the sum of its registered sessions."""


__all__ = [
    "BatchFinalizedError",
    "BatchStateError",
    "EreBookError",
    "IntegrityCheckError",
    "NothingToRegisterError",
]
