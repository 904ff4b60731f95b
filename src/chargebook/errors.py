"""The root of every error chargebook raises on purpose.

ChargebookError
 ├── ConfigurationError      settings or the secret key are missing or wrong (permanent)
 ├── NotFoundError           a named thing does not exist (permanent)
 ├── ConflictError           the request contradicts what is stored (permanent)
 ├── WallboxError            see chargebook.wallbox.exceptions
 └── ChargerApiError         an error at another brand's API (Easee, Zaptec, Peblar)
      ├── SignInRefusedError      the brand refused the login (permanent until it changes)
      ├── ApiRateLimitedError     the brand asks us to slow down (retryable)
      ├── ApiUnreachableError     no answer: network, timeout, 5xx (retryable)
      ├── ApiPayloadError         an answer we could not read (permanent)
      └── WriteUnconfirmedError   a command's reply was lost: never re-sent (permanent)

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


class ChargerApiError(ChargebookError):
    """An error at a charger brand's API (the brand packages beside `wallbox/` raise these:
    one family, so every door maps every brand's errors the same way)."""

    def __init__(self, message: str, *, brand: str) -> None:
        super().__init__(message)
        self.brand = brand


class SignInRefusedError(ChargerApiError):
    """The brand refused the login (wrong e-mail, password, address or token)."""


class ApiRateLimitedError(ChargerApiError):
    """The brand's rate limit was hit; `retry_after_s` when the brand said how long."""

    retryable = True

    def __init__(self, message: str, *, brand: str, retry_after_s: float | None = None) -> None:
        super().__init__(message, brand=brand)
        self.retry_after_s = retry_after_s


class ApiUnreachableError(ChargerApiError):
    """No usable answer: network down, timeout or a server error."""

    retryable = True


class ApiPayloadError(ChargerApiError):
    """The brand answered with something we could not read (kept as evidence where it can)."""


class WriteUnconfirmedError(ChargerApiError):
    """A command was sent but its reply was lost or unreadable: it is never re-sent."""
