"""Errors the Wallbox Cloud client raises; no httpx exception ever leaves the package.

ChargebookError
 └── WallboxError                        root of this package (status, charger_id)
      ├── WallboxAuthenticationError     wrong credentials / sign-in refused (permanent)
      ├── WallboxInsufficientRightsError 403 on a write: the account is a "user", not the owner
      │                                  (permanent)
      ├── WallboxRateLimitedError        429, or a 403 on a GET = throttling (retryable)
      ├── WallboxConnectionError         timeout, transport error or 5xx (retryable)
      ├── WallboxPayloadError            the response is not what the API documents; names
      │                                  the field (retryable: the simulator and, rarely, the
      │                                  cloud send transient garbage)
      ├── WallboxNotFoundError           404: no such charger for this account (permanent;
      │                                  also a chargebook NotFoundError)
      ├── WallboxRequestError            any other 4xx: the request itself is wrong (permanent)
      ├── WallboxWriteUnconfirmedError   a write was sent once but its reply could not be read
      │                                  and reading the charger back did not show it took
      │                                  effect (permanent: never re-sent automatically)
      └── WallboxUnsafeActionError       refused locally: e.g. restart while updating (permanent;
                                         also a chargebook ConflictError)

Messages never contain passwords or tokens.
"""

from __future__ import annotations

from chargebook.errors import ChargebookError, ConflictError, NotFoundError


class WallboxError(ChargebookError):
    """Something went wrong talking to the Wallbox Cloud.

    Attributes:
        status: the HTTP status code, when a response was received.
        charger_id: the charger the call was about, when there was one.
    """

    def __init__(
        self, message: str, *, status: int | None = None, charger_id: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.charger_id = charger_id


class WallboxAuthenticationError(WallboxError):
    """Sign-in refused (wrong e-mail or password), or no way left to get a valid token."""

    retryable = False


class WallboxInsufficientRightsError(WallboxError):
    """A write was refused with 403: the account may read this charger but not change it."""

    retryable = False


class WallboxRateLimitedError(WallboxError):
    """The cloud throttled this account (429, or 403 on a read); waiting helps."""

    retryable = True


class WallboxConnectionError(WallboxError):
    """The cloud could not be reached or failed on its side (timeout, transport, 5xx).

    Attributes:
        request_sent: False only when the request never left (connection refused, connect
            timeout): the server cannot have acted on it, so even a write may be sent again.
        url: the URL that could not be reached (None for a 5xx answer).
        signing_in: whether it was the sign-in service's (the auth URL), not the data API's.
        tries: how many times the request was sent before giving up.
    """

    retryable = True

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        charger_id: str | None = None,
        request_sent: bool = True,
        url: str | None = None,
        signing_in: bool = False,
    ) -> None:
        super().__init__(message, status=status, charger_id=charger_id)
        self.request_sent = request_sent
        self.url = url
        self.signing_in = signing_in
        self.tries = 1


class WallboxPayloadError(WallboxError):
    """A response could not be understood; `field` names where it went wrong."""

    retryable = True

    def __init__(
        self,
        message: str,
        *,
        field: str,
        status: int | None = None,
        charger_id: str | None = None,
    ) -> None:
        super().__init__(message, status=status, charger_id=charger_id)
        self.field = field


class WallboxNotFoundError(WallboxError, NotFoundError):
    """The cloud does not know this charger (or it is not in this account)."""

    retryable = False


class WallboxRequestError(WallboxError):
    """The cloud rejected the request itself (a 4xx other than 401/403/404/429)."""

    retryable = False


class WallboxWriteUnconfirmedError(WallboxError):
    """A write went out exactly once, but whether it took effect is not known or it did not.

    Raised when the reply could not be read (garbled, cut off, timed out or a 5xx other than
    503) and reading the charger back did not show the change. The write is never sent again
    automatically: it may have acted, and every write costs the account's write budget.
    """

    retryable = False


class WallboxUnsafeActionError(WallboxError, ConflictError):
    """The client refused to send a command that could harm the charger right now."""

    retryable = False
