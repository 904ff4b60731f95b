"""The transport half of the Easee client: one request path, the token lifecycle, retries.

Reads are retried (with backoff on the clock) after a server error, a timeout, a dropped or
unreadable answer. A write is sent once: it is sent again only when the server cannot have
acted on it (the connection was refused before sending, a 503, a 401 before re-signing in,
a 429); when it may have acted (a reply cut off or timed out, another 5xx) the client raises
`WriteUnconfirmedError` and never re-sends it. A 429 is never retried here (reference §2.2:
the IP gets blocked): the budget holds the account until `retry-after` has passed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from chargebook import __version__
from chargebook.clock import Clock
from chargebook.domain.brands import BrandLogin, TokenKeeper
from chargebook.easee.budget import EaseeBudget, RequestKind
from chargebook.easee.tokens import Tokens, parse_token_response
from chargebook.errors import (
    ApiPayloadError,
    ApiRateLimitedError,
    ApiUnreachableError,
    ChargerApiError,
    SignInRefusedError,
    WriteUnconfirmedError,
)

_LOGGER = logging.getLogger("chargebook.easee")
T = TypeVar("T")
BRAND = "Easee"
REFRESH_MARGIN_S = 120.0  # refresh this long before the access token expires
HEADERS = {
    "Accept": "application/json",
    "Content-Type": "application/json;charset=UTF-8",
    "User-Agent": f"chargebook/{__version__}",
}


class _Unsent(Exception):
    """The request never reached the server (safe to send again, even a write)."""


class EaseeHttp:
    """Tokens, budget and retries of one Easee account (see the module docstring)."""

    def __init__(
        self,
        login: BrandLogin,
        *,
        base_url: str,
        http: httpx.AsyncClient,
        clock: Clock,
        tokens: TokenKeeper,
        budget: EaseeBudget,
        max_retries: int = 3,
        backoff_base_s: float = 2.0,
        timeout_s: float = 20.0,
    ) -> None:
        self._login = login
        self.base_url = base_url.rstrip("/")
        self._http = http
        self._clock = clock
        self._keeper = tokens
        self.budget = budget
        self.max_retries = max(0, max_retries)
        self._backoff_base_s = backoff_base_s
        self._timeout_s = timeout_s
        self._tokens: Tokens | None = None
        self._loaded = False
        self._auth_lock = asyncio.Lock()
        self._random = random.Random()  # jitter only
        self.sign_ins = 0
        self.refreshes = 0
        self.request_count = 0
        self.retry_count = 0

    def __repr__(self) -> str:
        return f"EaseeHttp(user={self._login.username!r}, base_url={self.base_url!r})"

    # -- tokens ---------------------------------------------------------------------------
    async def sign_in(self) -> None:
        """Sign in now with the login (the wizard's check), replacing any stored tokens."""
        async with self._auth_lock:
            self._store(await self._token_call("/api/accounts/login", self._login_body()))
            self.sign_ins += 1

    def _login_body(self) -> dict[str, str]:
        return {"userName": self._login.username, "password": self._login.secret}

    def _store(self, tokens: Tokens) -> None:
        self._tokens, self._loaded = tokens, True
        self._keeper.save(tokens.to_fields())

    async def access_token(self, *, stale: str | None = None) -> str:
        """A valid access token: the held one, else refreshed, else a new sign-in.
        `stale`: a token the server just refused (401), not to be used again."""
        async with self._auth_lock:
            if not self._loaded:
                self._tokens, self._loaded = Tokens.from_fields(self._keeper.load()), True
            tokens = self._tokens
            now = self._clock.now()
            remaining = (tokens.expires_at - now).total_seconds() if tokens else 0.0
            if tokens and tokens.access_token != stale and remaining > REFRESH_MARGIN_S:
                return tokens.access_token
            fresh: Tokens | None = None
            if tokens is not None:
                body = {"accessToken": tokens.access_token, "refreshToken": tokens.refresh_token}
                try:
                    fresh = await self._token_call("/api/accounts/refresh_token", body)
                    self.refreshes += 1
                except SignInRefusedError:
                    # evcc#9717: valid refresh tokens can become invalid; sign in again.
                    _LOGGER.info("Easee refused the refresh token; signing in again")
            if fresh is None:
                fresh = await self._token_call("/api/accounts/login", self._login_body())
                self.sign_ins += 1
            self._store(fresh)
            return fresh.access_token

    async def _token_call(self, path: str, body: dict[str, str]) -> Tokens:
        signing_in = path.endswith("/login")
        attempt = 0
        while True:
            try:
                response = await self._send("POST", path, body, None)
            except _Unsent as exc:
                response, error = None, exc.__cause__
            else:
                error = None
            status = response.status_code if response is not None else 0
            if response is not None and status < 400:
                return parse_token_response(self._decode(response), self._clock.now())
            if status in (400, 401, 403):
                what = "e-mail or password" if signing_in else "refresh token"
                raise SignInRefusedError(f"Easee refused the {what}", brand=BRAND)
            if status == 429:
                retry_after = _retry_after(response)
                self.budget.throttled(retry_after)
                raise ApiRateLimitedError(
                    "Easee refused to sign in now: too many requests",
                    brand=BRAND,
                    retry_after_s=retry_after,
                )
            if attempt >= self.max_retries:
                cause = f"status {status}" if status else type(error).__name__
                raise ApiUnreachableError(f"cannot sign in to Easee ({cause})", brand=BRAND)
            attempt += 1
            await self._backoff(attempt)

    # -- the request path -----------------------------------------------------------------
    async def get(
        self, path: str, parse: Callable[[Any], T], kind: RequestKind = RequestKind.READ
    ) -> T:
        """GET `path`, decode its JSON (None for an empty body) and `parse` it, retrying what
        can be: a garbled answer (`parse` raises `ApiPayloadError`) is fetched again."""
        attempt = 0
        stale: str | None = None
        while True:
            token = await self.access_token(stale=stale)
            await self.budget.acquire(kind)
            try:
                response = await self._send("GET", path, None, token)
                if response.status_code == 401 and stale is None:
                    stale = token  # revoked early: re-authenticate once
                    continue
                self._raise_for_status(response, "GET", path)
                return parse(self._decode(response))
            except (_Unsent, ApiUnreachableError, ApiPayloadError) as exc:
                if attempt >= self.max_retries:
                    raise _unreachable(exc, "GET", path) from exc
            attempt += 1
            self.retry_count += 1
            await self._backoff(attempt)

    async def write(self, path: str, body: Any) -> None:
        """POST `path` once (see the module docstring for when it is sent again)."""
        attempt = 0
        stale: str | None = None
        while True:
            token = await self.access_token(stale=stale)
            await self.budget.acquire(RequestKind.WRITE)
            try:
                response = await self._send("POST", path, body, token)
            except _Unsent as exc:
                if attempt >= self.max_retries:
                    raise _unreachable(exc, "POST", path) from exc
            except ApiUnreachableError as exc:
                raise WriteUnconfirmedError(
                    f"Easee may have carried out {path} but its answer was lost ({exc.message}); "
                    "it is not sent again: check the charger",
                    brand=BRAND,
                ) from exc
            else:
                status = response.status_code
                if status == 401 and stale is None:
                    stale = token
                    continue
                if status != 503:
                    if status >= 500:
                        raise WriteUnconfirmedError(
                            f"Easee failed with {status} after {path} may have acted; it is not "
                            "sent again: check the charger",
                            brand=BRAND,
                        )
                    self._raise_for_status(response, "POST", path)
                    return  # 200/202: accepted (a command's result comes later, §2.8)
                if attempt >= self.max_retries:
                    raise ApiUnreachableError(f"Easee is unavailable (503) on {path}", brand=BRAND)
            attempt += 1
            self.retry_count += 1
            await self._backoff(attempt)

    async def _send(self, method: str, path: str, body: Any, token: str | None) -> httpx.Response:
        headers = dict(HEADERS)
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        self.request_count += 1
        try:
            response = await self._http.request(
                method,
                self.base_url + path,
                content=json.dumps(body).encode() if body is not None else None,
                headers=headers,
                timeout=self._timeout_s,
            )
            await response.aread()
            return response
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise _Unsent(f"cannot reach Easee ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            # Sent, and the answer is lost (timed out, cut off): the server may have acted.
            raise ApiUnreachableError(
                f"Easee's answer was lost ({type(exc).__name__}) on {method} {path}", brand=BRAND
            ) from exc

    def _raise_for_status(self, response: httpx.Response, method: str, path: str) -> None:
        status = response.status_code
        if status < 400:
            return
        where = f"{method} {path}"
        if status == 429:
            retry_after = _retry_after(response)
            self.budget.throttled(retry_after)
            text = response.text.strip()[:300]
            raise ApiRateLimitedError(
                f"Easee rate limit reached ({where}): {text}",
                brand=BRAND,
                retry_after_s=retry_after,
            )
        if status >= 500:
            raise ApiUnreachableError(f"Easee failed with {status} ({where})", brand=BRAND)
        if status == 401:
            raise SignInRefusedError(f"Easee refused the sign-in ({where})", brand=BRAND)
        raise ChargerApiError(
            f"Easee refused {where} with {status}: {_title(response)}", brand=BRAND
        )

    @staticmethod
    def _decode(response: httpx.Response) -> Any:
        if not response.content.strip():
            return None
        try:
            return json.loads(response.content)
        except ValueError as exc:
            raise ApiPayloadError(
                f"Easee sent a body that is not JSON (status {response.status_code})", brand=BRAND
            ) from exc

    async def _backoff(self, attempt: int) -> None:
        delay = min(60.0, self._backoff_base_s * 2.0 ** (attempt - 1))
        await self._clock.sleep(delay * self._random.uniform(0.5, 1.0))


def _retry_after(response: httpx.Response | None) -> float | None:
    if response is None:
        return None
    try:
        return float(response.headers.get("retry-after", ""))
    except ValueError:
        return None


def _title(response: httpx.Response) -> str:
    try:
        body = json.loads(response.content)
    except ValueError:
        return response.text.strip()[:200] or "no reason given"
    if isinstance(body, dict) and isinstance(body.get("title"), str):
        return str(body["title"])
    return "no reason given"


def _unreachable(exc: Exception, method: str, path: str) -> ChargerApiError:
    if isinstance(exc, ChargerApiError):
        return exc
    return ApiUnreachableError(f"cannot reach Easee on {method} {path} ({exc})", brand=BRAND)
