"""The HTTP half of the client: both APIs of one charger, its two logins, retries, errors.

- REST API (`/api/wlac/v1/`): the API token, raw in `Authorization`. On a 401 with the web
  password known, the client logs in to the web API, fetches the charger's current token
  (`GET config/api-token`) and tries once more: the token changes when the charger reboots
  (python-peblar `token_refresh`). Without the web password the 401 is a `SignInRefusedError`.
- Web API (`/api/v1/`): `POST auth/login {"Password", "PersistentSession": false}` sets a
  session cookie; it is kept in the `TokenKeeper` and used until the charger forgets it (a
  401: one new login, then the request once more). Never a login per call.

Reads are retried with exponential backoff on the injected clock when the charger is
unreachable or throttles (429, honouring `Retry-After`). Writes are sent once: a lost or
unreadable reply is a `WriteUnconfirmedError`, a refusal before acting (401 after one new
login, 4xx, 429) its own error. Every error is a `chargebook.errors.ChargerApiError`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar

import httpx

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
from chargebook.peblar.budget import PeblarBudget
from chargebook.peblar.wire import BRAND, payload_error, read_api_token

_LOGGER = logging.getLogger("chargebook.peblar")

REST = "/api/wlac/v1/"
WEB = "/api/v1/"
Api = Literal["rest", "web"]
T = TypeVar("T")
TOKEN_KEY = "api_token"  # noqa: S105 (a key of the TokenKeeper, not a secret)
COOKIE_KEY = "web_session"

REFUSED_ADVICE = (
    "The Peblar charger refused the API token. Copy it again from the charger's web "
    "interface (Settings, Local REST API): it changes when the charger restarts. Give the "
    "web password as well and chargebook fetches the new token itself."
)


def _as_is(answer: Any) -> Any:
    return answer


class PeblarTransport:
    """Requests to one charger; shares the charger's `PeblarBudget`."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        api_token: str,
        web_password: str | None,
        tokens: TokenKeeper,
        budget: PeblarBudget,
        clock: Clock,
        max_retries: int = 3,
    ) -> None:
        self._http = http
        self._default_token = api_token
        self._password = web_password
        self._tokens = tokens
        self._budget = budget
        self._clock = clock
        self._max_retries = max_retries
        self.request_count = 0
        self.retry_count = 0

    def __repr__(self) -> str:
        return f"PeblarTransport({self._http.base_url})"

    @property
    def has_web_password(self) -> bool:
        return self._password is not None

    # --- the two logins ---------------------------------------------------------------
    def _stored(self, key: str) -> str | None:
        stored = self._tokens.load() or {}
        value = stored.get(key)
        return value if value else None

    def _store(self, key: str, value: str | None) -> None:
        stored = dict(self._tokens.load() or {})
        if value is None:
            stored.pop(key, None)
        else:
            stored[key] = value
        self._tokens.save(stored)

    def api_token(self) -> str:
        return self._stored(TOKEN_KEY) or self._default_token

    async def web_login(self) -> str:
        """Log in to the web API; the session cookie (`name=value`), also kept."""
        if self._password is None:
            raise SignInRefusedError(
                "This needs the Peblar charger's web password (the REST API token does not "
                "open the charger's web interface, where its meter log is).",
                brand=BRAND,
            )
        body = {"Password": self._password, "PersistentSession": False}
        response = await self._send("POST", WEB + "auth/login", api="web", body=body, cookie=None)
        if response.status_code == 401:
            raise SignInRefusedError(
                "The Peblar charger refused the web password (the one of its web interface).",
                brand=BRAND,
            )
        self._raise_for_status(response, write=False)
        cookies = [f"{name}={value}" for name, value in response.cookies.items() if value]
        if not cookies:
            raise payload_error("auth/login: no session cookie in the answer")
        cookie = "; ".join(cookies)
        self._store(COOKIE_KEY, cookie)
        return cookie

    async def _refresh_api_token(self) -> str:
        token = await self.call("GET", "config/api-token", api="web", read=read_api_token)
        self._store(TOKEN_KEY, token)
        return token

    # --- requests ---------------------------------------------------------------------
    async def call(
        self,
        method: str,
        path: str,
        *,
        api: Api,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        read: Callable[[Any], T] = _as_is,
    ) -> T:
        """The answer, decoded and read by `read` (reads retried, a garbled answer too;
        writes sent once: see the module doc)."""
        write = method != "GET"
        attempt = 0
        while True:
            try:
                answer = await self._authorized(method, path, api=api, body=body, params=params)
                return read(answer)
            except (ApiUnreachableError, ApiRateLimitedError, ApiPayloadError) as exc:
                if write:
                    if isinstance(exc, ApiRateLimitedError):
                        raise  # refused before acting
                    raise WriteUnconfirmedError(
                        f"The Peblar charger may have done it, but its answer was lost "
                        f"({exc.message}); chargebook does not send it again: check the "
                        f"charger before trying once more.",
                        brand=BRAND,
                    ) from exc
                if attempt >= self._max_retries:
                    raise
                attempt += 1
                self.retry_count += 1
                wait = getattr(exc, "retry_after_s", None) or min(2.0**attempt, 30.0)
                _LOGGER.info(
                    "Peblar %s %s failed (%s); retry in %.0f s", method, path, exc.message, wait
                )
                await self._clock.sleep(wait)

    async def _authorized(
        self,
        method: str,
        path: str,
        *,
        api: Api,
        body: Mapping[str, Any] | None,
        params: Mapping[str, str] | None,
    ) -> Any:
        for fresh in (False, True):
            if api == "rest":
                # No token yet (a login by web password): fetch it before the first call.
                token = self.api_token()
                if fresh or not token:
                    token = await self._refresh_api_token()
                response = await self._send(
                    method, REST + path, api=api, body=body, params=params, token=token
                )
            else:
                cookie = self._stored(COOKIE_KEY)
                if fresh or cookie is None:
                    cookie = await self.web_login()
                response = await self._send(
                    method, WEB + path, api=api, body=body, params=params, cookie=cookie
                )
            if response.status_code != 401:
                break
            if api == "rest" and self._password is None:
                raise SignInRefusedError(REFUSED_ADVICE, brand=BRAND)
            if api == "web":
                self._store(COOKIE_KEY, None)
            if fresh:
                what = "API token" if api == "rest" else "web session"
                raise SignInRefusedError(
                    f"The Peblar charger refused a fresh {what} right after a login.", brand=BRAND
                )
        self._raise_for_status(response, write=method != "GET")
        return self._decode(response, path)

    async def _send(
        self,
        method: str,
        path: str,
        *,
        api: Api,
        body: Mapping[str, Any] | None,
        params: Mapping[str, str] | None = None,
        token: str | None = None,
        cookie: str | None = None,
    ) -> httpx.Response:
        await self._budget.acquire()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token is not None:
            headers["Authorization"] = token
        if cookie is not None:
            headers["Cookie"] = cookie
        self.request_count += 1
        try:
            response = await self._http.request(
                method,
                path,
                headers=headers,
                params=params,
                content=json.dumps(body).encode() if body is not None else None,
            )
            await response.aread()
        except httpx.TimeoutException as exc:
            raise ApiUnreachableError(
                "The Peblar charger did not answer in time.", brand=BRAND
            ) from exc
        except httpx.HTTPError as exc:
            raise ApiUnreachableError(
                f"Could not reach the Peblar charger ({type(exc).__name__}): is it on and on "
                f"the same network?",
                brand=BRAND,
            ) from exc
        finally:
            self._http.cookies.clear()  # the keeper holds the web session, not httpx's jar
        return response

    @staticmethod
    def _reason(response: httpx.Response) -> str:
        try:
            payload = response.json()
        except ValueError:
            return ""
        if isinstance(payload, Mapping):
            reason = payload.get("statusmsg") or payload.get("StatusMsg")
            return f": {reason}" if isinstance(reason, str) and reason else ""
        return ""

    def _raise_for_status(self, response: httpx.Response, *, write: bool) -> None:
        status = response.status_code
        if status < 400:
            return
        reason = self._reason(response)
        if status == 429:
            retry_after = response.headers.get("Retry-After")
            seconds = float(retry_after) if retry_after and retry_after.isdigit() else None
            raise ApiRateLimitedError(
                f"The Peblar charger asks to slow down{reason}.", brand=BRAND, retry_after_s=seconds
            )
        if status == 403:
            raise SignInRefusedError(
                f"The Peblar charger does not allow this{reason} (is its local REST API "
                f"enabled, in read-write mode?).",
                brand=BRAND,
            )
        if status >= 500:
            raise ApiUnreachableError(
                f"The Peblar charger failed (HTTP {status}{reason}).", brand=BRAND
            )
        if status == 404:  # something answers at the address, but not a Peblar's API
            raise ChargerApiError(
                f"No Peblar charger answered at {response.request.url.host} (HTTP 404): check "
                "the address (open it in a browser: the charger's web interface appears).",
                brand=BRAND,
            )
        raise ChargerApiError(
            f"The Peblar charger refused the request (HTTP {status}{reason}).", brand=BRAND
        )

    @staticmethod
    def _decode(response: httpx.Response, path: str) -> Any:
        if not response.content:
            return None
        try:
            return json.loads(response.content)
        except ValueError as exc:
            raise payload_error(f"{path}: the answer is not complete JSON") from exc
