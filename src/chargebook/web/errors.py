"""The web layer's errors and how every error becomes an HTTP response.

ChargebookError
 └── WebError                       problems of the request itself
      ├── NotAuthenticatedError     no or an unknown session / bearer token (401)
      ├── ForbiddenError            signed in, but the role or token scope does not allow it (403)
      ├── CsrfError                 an unsafe form request without the session's CSRF token (403)
      ├── InvalidCredentialsError   wrong e-mail or password at sign-in (401)
      ├── LoginRateLimitedError     too many failed sign-ins; `retry_after_s` (429, retryable)
      └── InvalidInputError         a form or body value is not acceptable (422)

Status codes live in the table `STATUS_FOR` here, not on the exceptions (style rule 7): the
same classes are raised by services the CLI uses. `/api/...` answers
`{"error": ClassName, "detail": message}`; pages render `error.html` or redirect to the login.
"""

from __future__ import annotations

from chargebook.central_system.exceptions import (
    ChargePointNotConnectedError,
    CommandRejectedError,
    CommandTimeoutError,
)
from chargebook.errors import (
    ApiPayloadError,
    ApiRateLimitedError,
    ApiUnreachableError,
    ChargebookError,
    ChargerApiError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    SignInRefusedError,
    WriteUnconfirmedError,
)
from chargebook.hooks.targets import WebhookUrlError
from chargebook.wallbox.exceptions import (
    WallboxAuthenticationError,
    WallboxConnectionError,
    WallboxInsufficientRightsError,
    WallboxPayloadError,
    WallboxRateLimitedError,
    WallboxWriteUnconfirmedError,
)


class WebError(ChargebookError):
    """Root of the web layer's own errors."""


class NotAuthenticatedError(WebError):
    """The request carries no valid session cookie or bearer token."""


class ForbiddenError(WebError):
    """The user or token may not do this (missing scope, not an operator)."""


class CsrfError(WebError):
    """An unsafe request to a page route without the right CSRF token."""


class InvalidCredentialsError(WebError):
    """Sign-in with an unknown e-mail, a wrong password, or an account without a password."""


class LoginRateLimitedError(WebError):
    """Too many failed sign-ins for this e-mail address or from this address."""

    retryable = True

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class InvalidInputError(WebError):
    """A submitted value is not acceptable; `field` names it when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


STATUS_FOR: tuple[tuple[type[ChargebookError], int], ...] = (
    (NotAuthenticatedError, 401),
    (InvalidCredentialsError, 401),
    (ForbiddenError, 403),
    (CsrfError, 403),
    (LoginRateLimitedError, 429),
    (InvalidInputError, 422),
    (WebhookUrlError, 422),  # and NotificationUrlError: a URL the server may not call
    (NotFoundError, 404),
    (ConflictError, 409),
    # The charger's side: the request was fine, the device or its cloud was not.
    (WallboxRateLimitedError, 429),
    (WallboxInsufficientRightsError, 403),
    (WallboxAuthenticationError, 502),
    (WallboxConnectionError, 502),
    (WallboxPayloadError, 502),
    (WallboxWriteUnconfirmedError, 502),  # sent once; the cloud's answer was unusable
    # The other brands' one family (issue 19), the same way.
    (ApiRateLimitedError, 429),
    (SignInRefusedError, 502),  # the stored login no longer works: not the caller's 401
    (ApiUnreachableError, 502),
    (ApiPayloadError, 502),
    (WriteUnconfirmedError, 502),
    (ChargerApiError, 502),
    (ChargePointNotConnectedError, 409),
    (CommandRejectedError, 409),
    (CommandTimeoutError, 504),
    (ConfigurationError, 500),
)


def status_for(error: ChargebookError) -> int:
    """The HTTP status of an error: first match in `STATUS_FOR` wins, else 400 or 503."""
    for cls, status in STATUS_FOR:
        if isinstance(error, cls):
            return status
    return 503 if error.retryable else 400
