"""The shared HTTP seam of the price adapters: client ownership and error translation.

Each adapter subclasses `HttpPriceSource`, so there is exactly one `_request()` per source and
no httpx exception leaves the adapter. Messages never include the URL: ENTSO-E carries its
security token in the query string.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from types import TracebackType
from typing import Self

import httpx

from chargebook.prices.exceptions import (
    PriceSourceAuthError,
    PriceSourceConnectionError,
    PriceSourceRateLimitError,
    PriceSourceResponseError,
)


class HttpPriceSource:
    """Owns an `httpx.AsyncClient` only if it created it; usable as `async with`."""

    name: str = "http"

    def __init__(
        self,
        *,
        base_url: str,
        client: httpx.AsyncClient | None = None,
        timeout_s: float = 20.0,
    ) -> None:
        self._base_url = base_url
        self._client = client
        self._close_client = client is None
        self._timeout_s = timeout_s

    async def _request(
        self, params: Mapping[str, str], *, pass_statuses: Collection[int] = ()
    ) -> httpx.Response:
        """GET the base URL with `params`; 200 and `pass_statuses` are returned to the caller.

        Raises:
            PriceSourceConnectionError: network error, timeout or 5xx (retryable).
            PriceSourceRateLimitError: HTTP 429 (retryable).
            PriceSourceAuthError: HTTP 401/403.
            PriceSourceResponseError: any other unexpected status.
        """
        if self._client is None:
            self._client = httpx.AsyncClient()
        try:
            response = await self._client.get(
                self._base_url, params=dict(params), timeout=self._timeout_s
            )
        except httpx.TimeoutException as exc:
            msg = f"{self.name} did not answer within {self._timeout_s:g} s"
            raise PriceSourceConnectionError(msg, source=self.name) from exc
        except httpx.HTTPError as exc:
            msg = f"could not reach {self.name} ({type(exc).__name__})"
            raise PriceSourceConnectionError(msg, source=self.name) from exc
        status = response.status_code
        if status == 200 or status in pass_statuses:
            return response
        if status == 429:
            raise PriceSourceRateLimitError(
                f"{self.name} rate limit reached", source=self.name, status=status
            )
        if status in (401, 403):
            raise PriceSourceAuthError(
                f"{self.name} rejected the credentials", source=self.name, status=status
            )
        if status >= 500:
            raise PriceSourceConnectionError(
                f"{self.name} server error {status}", source=self.name, status=status
            )
        raise PriceSourceResponseError(
            f"{self.name} answered with unexpected status {status}",
            source=self.name,
            status=status,
        )

    async def aclose(self) -> None:
        """Close the HTTP client if this source created it."""
        if self._client is not None and self._close_client:
            await self._client.aclose()
            self._client = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
