"""The transport of one Zaptec account: sign-in, the token, the budget, retries, errors.

Sign-in is the OAuth2 password grant `POST /oauth/token` (form body); the answer is an access
token valid about 24 h (`expires_in` 86399) and no refresh token (reference §3.1). The token is
kept in the account's `TokenKeeper` and reused until shortly before it expires, so a process
signs in about once a day, never per call; a 401 on the data API re-runs the grant once, as
Home Assistant's client does.

Reads are retried (429 after its Retry-After, 5xx, dropped connections, unreadable bodies).
A write (`POST`) is sent again only when the server cannot have acted on it: the connection
was never made, 429, 503, or a 401 before re-authenticating. When it may have acted (a reply
cut off or timed out, another 5xx, an unreadable reply) it raises `WriteUnconfirmedError` and
is never re-sent. Every error is a `chargebook.errors.ChargerApiError`; no httpx exception
and no secret leaves this module.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import httpx
from pydantic import SecretStr

from chargebook import __version__
from chargebook.clock import Clock
from chargebook.domain.brands import TokenKeeper
from chargebook.errors import (
    ApiPayloadError,
    ApiRateLimitedError,
    ApiUnreachableError,
    ChargerApiError,
    SignInRefusedError,
    WriteUnconfirmedError,
)
from chargebook.zaptec.budget import ZaptecBudget

BRAND = "Zaptec"
DEFAULT_BASE_URL = "https://api.zaptec.com"
# Sign in again this long before the token expires (a sync must not outlive its token).
RENEW_MARGIN = timedelta(minutes=10)
USER_AGENT = f"chargebook/{__version__}"

_LOGGER = logging.getLogger("chargebook.zaptec")
T = TypeVar("T")


def _retry_after_s(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


class ZaptecHttp:
    """One account's HTTP side; `ZaptecClient` names the endpoints and reads the payloads."""

    def __init__(
        self,
        username: str,
        password: SecretStr,
        *,
        base_url: str,
        http: httpx.AsyncClient,
        clock: Clock,
        tokens: TokenKeeper,
        budget: ZaptecBudget,
        timeout_s: float = 20.0,
        max_retries: int = 4,
        backoff_base_s: float = 1.0,
        backoff_max_s: float = 60.0,
    ) -> None:
        self.username = username
        self._password = password
        self.base_url = base_url.rstrip("/")
        self._http = http
        self._clock = clock
        self._tokens = tokens
        self.budget = budget
        self._timeout_s = timeout_s
        self.max_retries = max(0, max_retries)
        self._backoff_base_s = backoff_base_s
        self._backoff_max_s = backoff_max_s
        self._auth_lock = asyncio.Lock()
        self._random = random.Random()  # jitter only
        self.sign_ins = 0
        self.request_count = 0
        self.retry_count = 0

    # -- the token ---------------------------------------------------------------------

    async def sign_in(self) -> None:
        """Run the password grant now and keep the new token (the login check)."""
        async with self._auth_lock:
            await self._grant()

    async def _access_token(self) -> str:
        async with self._auth_lock:
            stored = self._tokens.load() or {}
            token, expires = stored.get("access_token"), stored.get("expires_at")
            if token and expires:
                try:
                    valid = self._clock.now() < datetime.fromisoformat(expires) - RENEW_MARGIN
                except ValueError:
                    valid = False
                if valid:
                    return token
            return await self._grant()

    async def _grant(self) -> str:
        form = {
            "grant_type": "password",
            "username": self.username,
            "password": self._password.get_secret_value(),
        }
        attempt = 0
        while True:
            try:
                response = await self._send("POST", "/oauth/token", data=form, token=None)
                if response.status_code in (400, 401, 403):
                    raise SignInRefusedError(_refusal(response), brand=BRAND)
                self._raise_for_status(response, "POST /oauth/token")
                payload = self._decode(response)
                token = payload.get("access_token") if isinstance(payload, dict) else None
                expires_in = payload.get("expires_in") if isinstance(payload, dict) else None
                if not isinstance(token, str) or not token:
                    raise ApiPayloadError(
                        "Zaptec's sign-in answer has no access_token", brand=BRAND
                    )
                if isinstance(expires_in, bool) or not isinstance(expires_in, int | float):
                    expires_in = 3600  # unsaid: assume an hour rather than a day
            except ChargerApiError as exc:
                if not exc.retryable and not isinstance(exc, ApiPayloadError):
                    raise
                if attempt >= self.max_retries:
                    raise
                await self._back_off(attempt, exc)
                attempt += 1
                continue
            self.sign_ins += 1
            expires_at = self._clock.now() + timedelta(seconds=float(expires_in))
            self._tokens.save({"access_token": token, "expires_at": expires_at.isoformat()})
            return token

    async def _drop_token(self, token: str) -> None:
        async with self._auth_lock:
            stored = self._tokens.load() or {}
            if stored.get("access_token") == token:  # another task may have renewed it
                self._tokens.clear()

    # -- requests ------------------------------------------------------------------------

    async def get(
        self, path: str, parse: Callable[[Any], T], params: dict[str, str | int] | None = None
    ) -> T:
        """A read: decoded JSON (None for an empty body or 204) through `parse`, which runs
        inside the retry loop so a transiently garbled page is read again."""
        attempt, reauthenticated = 0, False
        while True:
            token = await self._access_token()
            try:
                response = await self._send("GET", path, params=params, token=token)
                if response.status_code == 401 and not reauthenticated:
                    reauthenticated = True
                    await self._drop_token(token)
                    continue
                self._raise_for_status(response, f"GET {path}")
                return parse(self._decode(response))
            except ChargerApiError as exc:
                if not (exc.retryable or isinstance(exc, ApiPayloadError)):
                    raise
                if attempt >= self.max_retries:
                    raise
                await self._back_off(attempt, exc)
                attempt += 1

    async def post(self, path: str, body: dict[str, Any] | None = None) -> None:
        """A write, sent once (see the module docstring); its reply body is not needed."""
        attempt, reauthenticated = 0, False
        while True:
            token = await self._access_token()
            try:
                response = await self._send("POST", path, json_body=body, token=token)
            except _NotSent as exc:
                if attempt >= self.max_retries:
                    raise
                await self._back_off(attempt, exc)
                attempt += 1
                continue
            except ApiUnreachableError as exc:
                raise WriteUnconfirmedError(
                    f"Zaptec may have carried out POST {path} but its reply was lost "
                    f"({exc.message}); it is not sent again: check the charger",
                    brand=BRAND,
                ) from exc
            status = response.status_code
            if status == 401 and not reauthenticated:
                reauthenticated = True
                await self._drop_token(token)
                continue
            if status in (429, 503):  # refused before acting: sending again is safe
                error = self._error_for(response, f"POST {path}")
                if attempt >= self.max_retries:
                    raise error
                await self._back_off(attempt, error)
                attempt += 1
                continue
            if status >= 500:
                raise WriteUnconfirmedError(
                    f"Zaptec answered POST {path} with {status}: it may have acted; it is not "
                    "sent again: check the charger",
                    brand=BRAND,
                )
            self._raise_for_status(response, f"POST {path}")
            return

    async def _send(
        self,
        method: str,
        path: str,
        *,
        token: str | None,
        params: dict[str, str | int] | None = None,
        json_body: dict[str, Any] | None = None,
        data: dict[str, str] | None = None,
    ) -> httpx.Response:
        await self.budget.acquire()
        self.request_count += 1
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        url = self.base_url + path
        try:
            response = await self._http.request(
                method,
                url,
                params=params,
                json=json_body,
                data=data,
                headers=headers,
                timeout=self._timeout_s,
            )
            await response.aread()
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise _NotSent(
                f"cannot reach the Zaptec cloud ({type(exc).__name__}) on {method} {path}",
                brand=BRAND,
            ) from exc
        except httpx.TimeoutException as exc:
            raise ApiUnreachableError(
                f"the Zaptec cloud timed out after {self._timeout_s:g} s on {method} {path}",
                brand=BRAND,
            ) from exc
        except httpx.HTTPError as exc:
            raise ApiUnreachableError(
                f"the Zaptec cloud broke off {method} {path} ({type(exc).__name__})",
                brand=BRAND,
            ) from exc
        _LOGGER.debug("%s %s -> %s", method, path, response.status_code)
        return response

    def _raise_for_status(self, response: httpx.Response, where: str) -> None:
        if response.status_code < 300:
            return
        raise self._error_for(response, where)

    @staticmethod
    def _error_for(response: httpx.Response, where: str) -> ChargerApiError:
        status = response.status_code
        if status == 429:
            return ApiRateLimitedError(
                f"Zaptec's rate limit was reached ({where})",
                brand=BRAND,
                retry_after_s=_retry_after_s(response),
            )
        if status >= 500:
            return ApiUnreachableError(
                f"the Zaptec cloud failed with {status} ({where})", brand=BRAND
            )
        if status == 401:
            return SignInRefusedError(
                "Zaptec no longer accepts this account's sign-in: connect it again", brand=BRAND
            )
        if status == 403:
            return ChargerApiError(
                f"this Zaptec account may not do that ({where}): Zaptec allows it to the "
                "installation's owner or service partner only",
                brand=BRAND,
            )
        if status == 404:
            return ChargerApiError(f"Zaptec does not know {where}", brand=BRAND)
        return ChargerApiError(
            f"Zaptec refused {where} with {status}{_server_message(response)}", brand=BRAND
        )

    @staticmethod
    def _decode(response: httpx.Response) -> Any:
        if response.status_code == 204 or not response.content.strip():
            return None
        try:
            return json.loads(response.content)
        except ValueError:
            raise ApiPayloadError(
                f"Zaptec sent a body that is not JSON (status {response.status_code})",
                brand=BRAND,
            ) from None

    async def _back_off(self, attempt: int, error: ChargerApiError) -> None:
        self.retry_count += 1
        wait_s: float | None = None
        if isinstance(error, ApiRateLimitedError):
            wait_s = error.retry_after_s
        if wait_s is None:
            wait_s = min(self._backoff_max_s, self._backoff_base_s * 2.0**attempt)
            wait_s *= self._random.uniform(0.5, 1.0)
        if isinstance(error, ApiRateLimitedError):  # a wait the owner should see
            self.budget.announce_wait(wait_s, "Zaptec throttled this account", throttled=True)
        _LOGGER.debug("Zaptec request failed (%s); retry in %.1f s", error.message, wait_s)
        await self._clock.sleep(wait_s)


class _NotSent(ApiUnreachableError):
    """The connection was never made: even a write may be sent again."""


def _refusal(response: httpx.Response) -> str:
    """Zaptec's reason for refusing the login, in words (HTTP 400 `error_description`)."""
    try:
        payload = json.loads(response.content)
    except ValueError:
        payload = None
    reason = payload.get("error_description") if isinstance(payload, dict) else None
    if isinstance(reason, str) and reason.strip():
        return f"Zaptec refused the e-mail or password: {reason.strip()[:200]}"
    return "Zaptec refused the e-mail or password"


def _server_message(response: httpx.Response) -> str:
    """`: <Message>` from an error body (`{"Message": ...}`), short, or nothing."""
    try:
        payload = json.loads(response.content)
    except ValueError:
        return ""
    text = payload.get("Message") if isinstance(payload, dict) else None
    return f": {text.strip()[:200]}" if isinstance(text, str) and text.strip() else ""
