"""The root of every error chargebook raises on purpose.

ChargebookError
 ├── ConfigurationError      settings or the secret key are missing or wrong (permanent)
 ├── NotFoundError           a named thing does not exist (permanent)
 ├── ConflictError           the request contradicts what is stored (permanent)
 └── WallboxError            see chargebook.wallbox.exceptions

Each class says whether trying again can help (`retryable`). Schedulers and retry loops decide
on that flag alone; the CLI and web layers map classes to exit codes and HTTP statuses.
"""

from __future__ import annotations


class ChargebookError(Exception):
    """Base class; `message` is safe to show a person (never contains secrets)."""

    retryable: bool = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigurationError(ChargebookError):
    """Settings, the data directory or the secret key are missing or invalid."""


class NotFoundError(ChargebookError):
    """A charger, session, account or other named thing does not exist."""


class ConflictError(ChargebookError):
    """The request contradicts stored state (e.g. finalizing a finalized batch)."""
