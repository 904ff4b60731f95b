"""Errors of the price sources; no httpx exception escapes an adapter.

ChargebookError
 └── PriceSourceError                 a source could not deliver prices
      ├── PriceSourceConnectionError  network, timeout or 5xx (retryable)
      ├── PriceSourceRateLimitError   429 / too many requests (retryable)
      ├── PriceSourceAuthError        missing or rejected token (permanent)
      ├── PriceSourceResponseError    unexpected status or unreadable payload (permanent)
      │    └── PriceSourceRequestTooLargeError  the window was too large; a smaller one works
      └── PriceSourcesExhaustedError  every source of a fallback chain failed

Prices that are simply not published yet are NOT an error: the adapter returns an incomplete
`PriceCurve` (see `PriceCurve.complete` and `known_until`).
"""

from __future__ import annotations

from collections.abc import Sequence

from chargebook.errors import ChargebookError


class PriceSourceError(ChargebookError):
    """A price source failed; `source` names it, `status` is the HTTP status if there was one."""

    def __init__(self, message: str, *, source: str, status: int | None = None) -> None:
        super().__init__(message)
        self.source = source
        self.status = status


class PriceSourceConnectionError(PriceSourceError):
    """The source could not be reached or answered with a server error."""

    retryable = True


class PriceSourceRateLimitError(PriceSourceError):
    """The source asks us to slow down."""

    retryable = True


class PriceSourceAuthError(PriceSourceError):
    """The token is missing or rejected; retrying with the same token will not help."""


class PriceSourceResponseError(PriceSourceError):
    """The source answered, but not with anything we can read."""


class PriceSourceRequestTooLargeError(PriceSourceResponseError):
    """The source refused the requested window as too large (ENTSO-E's instance limit); the
    same request over smaller windows can succeed."""


class PriceSourcesExhaustedError(PriceSourceError):
    """All sources failed; `errors` holds each one's error, in the order tried."""

    def __init__(self, errors: Sequence[PriceSourceError]) -> None:
        names = ", ".join(f"{e.source}: {e.message}" for e in errors) or "no sources configured"
        super().__init__(f"no price source answered ({names})", source="fallback")
        self.errors = tuple(errors)
        self.retryable = any(e.retryable for e in errors)
