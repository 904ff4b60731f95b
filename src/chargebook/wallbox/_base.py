"""The transport half of the client: one `_request()`, the token lifecycle and retries.

Everything that touches httpx lives here; `_reads.py` and `_writes.py` only name endpoints
and convert payloads. Kept apart so each file stays readable.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import random
from collections.abc import Callable
from types import TracebackType
from typing import Any, Literal, Self, TypeVar

import httpx
from pydantic import SecretStr

from chargebook import __version__
from chargebook.clock import Clock, SystemClock
from chargebook.wallbox.budget import RequestBudget, RequestKind
from chargebook.wallbox.exceptions import (
    WallboxAuthenticationError,
    WallboxConnectionError,
    WallboxError,
    WallboxInsufficientRightsError,
    WallboxNotFoundError,
    WallboxPayloadError,
    WallboxRateLimitedError,
    WallboxRequestError,
)
from chargebook.wallbox.tokens import MemoryTokenStore, Tokens, TokenStore
from chargebook.wallbox.wire.auth import parse_tokens

_LOGGER = logging.getLogger("chargebook.wallbox")

T = TypeVar("T")
Auth = Literal["bearer", "signin", "refresh"]

# Refresh this long before the access token expires (Predbat uses 120 s; reference §5.2).
REFRESH_MARGIN_MS = 120_000
USER_AGENT = f"chargebook/{__version__}"


def ignore_body(_: Any) -> None:
    """`parse` for a write whose reply body chargebook does not need (remote actions)."""
    return


class WallboxWriteOutcomeUnknown(WallboxError):
    """A write was sent and the server may have acted, but its reply is unusable.

    Internal to the client: its write methods catch it and read the charger back; `cause`
    is what went wrong with the reply.
    """

    retryable = False

    def __init__(self, cause: WallboxError) -> None:
        super().__init__(cause.message, status=cause.status, charger_id=cause.charger_id)
        self.cause = cause


def may_have_acted(error: WallboxError) -> bool:
    """Whether the server may have carried out a write that ended in `error`.

    Only three answers prove it did not: the request never left (connection refused or
    connect timeout), 429 (throttled before anything was done) and 503 (the service was not
    available). Refusals (400, 401, 403, 404) did not act either, and are not retried anyway.
    """
    if isinstance(error, WallboxRateLimitedError):
        return False
    if isinstance(error, WallboxConnectionError):
        return error.request_sent and error.status != 503
    return isinstance(error, WallboxPayloadError)


class _WallboxBase:
    """Holds the HTTP client, tokens, budget and retry policy of one myWallbox account."""

    def __init__(
        self,
        email: str,
        password: str | SecretStr | None,
        *,
        api_url: str = "https://api.wall-box.com",
        auth_url: str = "https://user-api.wall-box.com",
        http_client: httpx.AsyncClient | None = None,
        clock: Clock | None = None,
        budget: RequestBudget | None = None,
        token_store: TokenStore | None = None,
        timeout_s: float = 20.0,
        max_retries: int = 4,
        backoff_base_s: float = 2.0,
        backoff_max_s: float = 120.0,
    ) -> None:
        self.email = email
        self._password = password if isinstance(password, SecretStr | None) else SecretStr(password)
        self.api_url = api_url.rstrip("/")
        self.auth_url = auth_url.rstrip("/")
        self._clock = clock or SystemClock()
        self.budget = budget or RequestBudget(clock=self._clock)
        self._token_store: TokenStore = token_store or MemoryTokenStore()
        self._timeout_s = timeout_s
        self.max_retries = max(0, max_retries)
        self._backoff_base_s = backoff_base_s
        self._backoff_max_s = backoff_max_s
        self._owns_http_client = http_client is None
        self._http = http_client or httpx.AsyncClient()
        self._tokens: Tokens | None = None
        self._tokens_loaded = False
        self._auth_lock = asyncio.Lock()
        self._random = random.Random()  # jitter only; not security relevant
        self._status_codes: dict[str, int] = {}  # last known status_id per charger
        self.sign_ins = 0  # how often this client signed in; Wallbox limits login sessions
        self.refreshes = 0

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP client if this object created it (a caller's client stays open)."""
        if self._owns_http_client:
            await self._http.aclose()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(email={self.email!r}, api_url={self.api_url!r})"

    # -- tokens ---------------------------------------------------------------------------

    async def authenticate(self) -> None:
        """Make sure a valid access token is held, signing in only when nothing else works.

        Raises:
            WallboxAuthenticationError: wrong credentials, or no password to sign in with.
            WallboxConnectionError, WallboxRateLimitedError: the cloud could not answer.
        """
        await self._access_token()

    def forget_tokens(self) -> None:
        """Drop the tokens in memory and in the token store (a later call signs in again)."""
        self._tokens = None
        self._token_store.clear(self.email)

    def _now_ms(self) -> int:
        return int(self._clock.now().timestamp() * 1000)

    async def _access_token(self) -> str:
        async with self._auth_lock:  # concurrent tasks must not each sign in
            if not self._tokens_loaded:
                self._tokens = self._token_store.load(self.email)
                self._tokens_loaded = True
            tokens = self._tokens
            now_ms = self._now_ms()
            if tokens and now_ms < tokens.access_expires_at_ms - REFRESH_MARGIN_MS:
                return tokens.access_token
            fresh: Tokens | None = None
            if tokens and now_ms < tokens.refresh_expires_at_ms:
                try:
                    fresh = await self._request(
                        "GET", "/users/refresh-token", auth="refresh", parse=parse_tokens
                    )
                    self.refreshes += 1
                except WallboxAuthenticationError:
                    _LOGGER.info("Wallbox refresh token revoked; signing in again")
            if fresh is None:
                fresh = await self._sign_in()
            self._tokens = fresh
            self._token_store.save(self.email, fresh)
            return fresh.access_token

    async def _sign_in(self) -> Tokens:
        if self._password is None:
            raise WallboxAuthenticationError(
                "the stored Wallbox sign-in is no longer valid and no password was given"
            )
        tokens = await self._request("GET", "/users/signin", auth="signin", parse=parse_tokens)
        self.sign_ins += 1
        return tokens

    def _expire_access_token(self) -> None:
        if self._tokens is not None:
            self._tokens = Tokens(
                access_token=self._tokens.access_token,
                refresh_token=self._tokens.refresh_token,
                access_expires_at_ms=0,
                refresh_expires_at_ms=self._tokens.refresh_expires_at_ms,
                user_id=self._tokens.user_id,
            )

    def _headers(self, auth: Auth, access_token: str | None) -> dict[str, str]:
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/json;charset=UTF-8",
            "User-Agent": USER_AGENT,
        }
        if auth == "signin":
            assert self._password is not None
            pair = f"{self.email}:{self._password.get_secret_value()}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
            headers["Partner"] = "wallbox"
        elif auth == "refresh":
            assert self._tokens is not None
            headers["Authorization"] = f"Bearer {self._tokens.refresh_token}"
            headers["Partner"] = "wallbox"
        else:
            headers["Authorization"] = f"Bearer {access_token}"
        return headers

    # -- the one request path -------------------------------------------------------------

    async def _request(
        self,
        method: str,
        path: str,
        *,
        parse: Callable[[Any], T],
        params: dict[str, str | int] | None = None,
        body: dict[str, Any] | None = None,
        auth: Auth = "bearer",
        charger_id: str | None = None,
    ) -> T:
        """Send one logical request: budget, retries with backoff, error translation, parsing.

        A read's `parse` (decoded JSON, None for an empty body, in; the result out) runs
        inside the retry loop, so a transiently garbled payload is fetched again. A write is
        sent again only when the server cannot have acted on it (connection refused before
        sending, 429, 503, 401 before re-authenticating); when it may have acted (a reply cut
        off, timed out, unreadable, or another 5xx) it raises `WallboxWriteOutcomeUnknown`
        and the caller reads the charger back instead. Pass `parse=ignore_body` for a write
        whose reply body does not matter: it is then never decoded.

        Raises:
            WallboxError: a subclass saying what went wrong; never an httpx exception.
        """
        kind = RequestKind.READ if method == "GET" else RequestKind.WRITE
        write = kind is RequestKind.WRITE and auth == "bearer"
        base_url = self.api_url if auth == "bearer" else self.auth_url
        reauthenticated = False
        attempt = 0
        while True:
            # Outside the try: signing in and refreshing already retry on their own.
            token = await self._access_token() if auth == "bearer" else None
            try:
                if auth == "bearer":  # the per-account limits apply to the data API
                    await self.budget.acquire(kind)
                response = await self._send(method, base_url + path, auth, token, params, body)
                if response.status_code == 401 and auth == "bearer" and not reauthenticated:
                    # The token was revoked early: re-authenticate once, then try again.
                    reauthenticated = True
                    async with self._auth_lock:
                        self._expire_access_token()
                    continue
                self._raise_for_status(response, method, auth, charger_id)
                if not write:
                    return parse(self._decode(response, charger_id))
            except WallboxError as exc:
                if write and may_have_acted(exc):
                    raise WallboxWriteOutcomeUnknown(exc) from exc
                if not exc.retryable or attempt >= self.max_retries:
                    if isinstance(exc, WallboxConnectionError):
                        exc.tries = attempt + 1  # the message can say how long it tried
                    raise
                delay_s = self._backoff_s(attempt, exc)
                if isinstance(exc, WallboxRateLimitedError):  # a wait the owner should see
                    self.budget.announce_wait(
                        kind, delay_s, "Wallbox throttled this account", throttled=True
                    )
                _LOGGER.debug("%s %s failed (%s); retry in %.1f s", method, path, exc, delay_s)
                attempt += 1
                await self._clock.sleep(delay_s)
                continue
            # The server accepted the write, so it acted: its reply is read once, never re-sent.
            if parse is ignore_body:
                return parse(None)
            try:
                return parse(self._decode(response, charger_id))
            except WallboxPayloadError as exc:
                raise WallboxWriteOutcomeUnknown(exc) from exc

    async def _send(
        self,
        method: str,
        url: str,
        auth: Auth,
        token: str | None,
        params: dict[str, str | int] | None,
        body: dict[str, Any] | None,
    ) -> httpx.Response:
        try:
            response = await self._http.request(
                method,
                url,
                params=params,
                content=json.dumps(body).encode("utf-8") if body is not None else None,
                headers=self._headers(auth, token),
                timeout=self._timeout_s,
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            # Nothing reached the server: even a write may be sent again.
            raise WallboxConnectionError(
                f"cannot reach the Wallbox Cloud ({type(exc).__name__}) on {method} {url}",
                request_sent=False,
                url=url,
                signing_in=auth != "bearer",
            ) from exc
        except httpx.TimeoutException as exc:
            raise WallboxConnectionError(
                f"Wallbox Cloud timed out after {self._timeout_s:g} s on {method} {url}",
                url=url,
                signing_in=auth != "bearer",
            ) from exc
        except httpx.HTTPError as exc:
            raise WallboxConnectionError(
                f"cannot reach the Wallbox Cloud ({type(exc).__name__}) on {method} {url}",
                url=url,
                signing_in=auth != "bearer",
            ) from exc
        _LOGGER.debug("%s %s -> %s", method, httpx.URL(url).path, response.status_code)
        return response

    @staticmethod
    def _raise_for_status(
        response: httpx.Response, method: str, auth: Auth, charger_id: str | None
    ) -> None:
        status = response.status_code
        if status < 400:
            return
        where = f"{method} {response.request.url.path}"
        fields: dict[str, Any] = {"status": status, "charger_id": charger_id}
        if status == 429:
            raise WallboxRateLimitedError(f"Wallbox rate limit reached ({where})", **fields)
        if auth == "signin" and status in (401, 403):
            raise WallboxAuthenticationError("Wallbox refused the e-mail or password", **fields)
        if status in (401, 403) and auth == "refresh":
            raise WallboxAuthenticationError("Wallbox refused the refresh token", **fields)
        if status == 401:
            raise WallboxAuthenticationError(
                f"Wallbox refused the access token ({where})", **fields
            )
        if status == 403 and method == "GET":
            # Reads are allowed to every member; a 403 on a read is throttling (reference §1).
            raise WallboxRateLimitedError(f"Wallbox throttled a read ({where})", **fields)
        if status == 403:
            raise WallboxInsufficientRightsError(
                "this myWallbox account may not change the charger (it is a user, not the owner)",
                **fields,
            )
        if status == 404:
            raise WallboxNotFoundError(f"Wallbox does not know {where}", **fields)
        if status >= 500:
            raise WallboxConnectionError(f"Wallbox Cloud failed with {status} ({where})", **fields)
        raise WallboxRequestError(f"Wallbox rejected the request with {status} ({where})", **fields)

    @staticmethod
    def _decode(response: httpx.Response, charger_id: str | None) -> Any:
        if not response.content.strip():
            return None
        try:
            return json.loads(response.content)
        except ValueError as exc:
            raise WallboxPayloadError(
                f"Wallbox sent a body that is not JSON (status {response.status_code})",
                field="<body>",
                status=response.status_code,
                charger_id=charger_id,
            ) from exc

    def _backoff_s(self, attempt: int, error: WallboxError) -> float:
        # Throttling resets over a rolling minute, so it waits longer than a dropped connection.
        base_s = self._backoff_base_s * (8 if isinstance(error, WallboxRateLimitedError) else 1)
        delay_s = min(self._backoff_max_s, base_s * 2.0**attempt)
        return delay_s * self._random.uniform(0.5, 1.0)
