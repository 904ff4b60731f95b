"""Wallbox Cloud (myWallbox) client: library grade, async, rate-limit aware.

Public surface: `WallboxClient`, its budget and token store types, and the error tree in
`chargebook.wallbox.exceptions`. Wire models stay private to the package.
"""

from chargebook.wallbox.budget import BudgetRegistry, RequestBudget, RequestKind
from chargebook.wallbox.client import WallboxClient
from chargebook.wallbox.confirm import RemoteAction
from chargebook.wallbox.exceptions import (
    WallboxAuthenticationError,
    WallboxConnectionError,
    WallboxError,
    WallboxInsufficientRightsError,
    WallboxNotFoundError,
    WallboxPayloadError,
    WallboxRateLimitedError,
    WallboxRequestError,
    WallboxUnsafeActionError,
    WallboxWriteUnconfirmedError,
)
from chargebook.wallbox.history import SessionPage, time_windows
from chargebook.wallbox.states import state_for
from chargebook.wallbox.tokens import EncryptedFileTokenStore, MemoryTokenStore, Tokens, TokenStore

__all__ = [
    "BudgetRegistry",
    "EncryptedFileTokenStore",
    "MemoryTokenStore",
    "RemoteAction",
    "RequestBudget",
    "RequestKind",
    "SessionPage",
    "TokenStore",
    "Tokens",
    "WallboxAuthenticationError",
    "WallboxClient",
    "WallboxConnectionError",
    "WallboxError",
    "WallboxInsufficientRightsError",
    "WallboxNotFoundError",
    "WallboxPayloadError",
    "WallboxRateLimitedError",
    "WallboxRequestError",
    "WallboxUnsafeActionError",
    "WallboxWriteUnconfirmedError",
    "state_for",
    "time_windows",
]
