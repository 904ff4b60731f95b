"""Sends one signed delivery over HTTP (httpx), pinned to the address that passed the check."""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass

import httpx

from chargebook.hooks.targets import WebhookUrlError, parse_target, resolve_target


@dataclass(frozen=True, slots=True)
class SendResult:
    status_code: int | None
    duration_ms: int
    error: str | None  # a short reason, never the body or headers

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def retryable(self) -> bool:
        """Timeouts, connection errors, 429 and 5xx may pass later; other 4xx will not."""
        if self.status_code is None:
            return self.error is not None and not self.error.startswith("refused:")
        return self.status_code == 429 or self.status_code >= 500


class HttpSender:
    """POSTs deliveries; never follows redirects (a redirect could lead inside)."""

    def __init__(self, *, timeout_s: float, allow_private: bool) -> None:
        self._client = httpx.AsyncClient(timeout=timeout_s, follow_redirects=False)
        self._allow_private = allow_private

    async def send(self, url: str, headers: dict[str, str], body: bytes) -> SendResult:
        started = time.monotonic()

        def result(status: int | None, error: str | None) -> SendResult:
            return SendResult(status, int((time.monotonic() - started) * 1000), error)

        try:
            target = parse_target(url, allow_private=self._allow_private)
            address = await resolve_target(target, allow_private=self._allow_private)
        except WebhookUrlError as exc:
            return result(None, f"refused: {exc}")
        host = f"[{address}]" if isinstance(address, ipaddress.IPv6Address) else str(address)
        pinned = f"{target.scheme}://{host}:{target.port}{target.path}"
        default_port = 443 if target.scheme == "https" else 80
        host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
        try:
            # Streamed and never read: only the status counts, and a receiver cannot make the
            # server hold a huge answer in memory.
            async with self._client.stream(
                "POST",
                pinned,
                content=body,
                headers={**headers, "Host": host_header},
                extensions={"sni_hostname": target.host},
            ) as response:
                status = response.status_code
        except httpx.TimeoutException:
            return result(None, "timeout")
        except httpx.HTTPError as exc:
            return result(None, f"connection error: {type(exc).__name__}")
        return result(status, None if 200 <= status < 300 else "HTTP error")

    async def aclose(self) -> None:
        await self._client.aclose()
