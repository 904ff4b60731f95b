"""Sign-in and tokens as Easee issues them (reference §2.1): `POST /api/accounts/login`
{userName, password} gives an access token, `expiresIn` seconds and a refresh token;
`POST /api/accounts/refresh_token` {accessToken, refreshToken} gives a new pair."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chargebook.simulator.easee.fleet import SimAccount

# Verbatim body of an expired refresh token (evcc-io/evcc#8511).
REFRESH_EXPIRED_BODY: dict[str, Any] = {
    "errorCode": 105,
    "errorCodeName": "RefreshTokenExpired",
    "type": None,
    "title": "Refresh token expired",
    "status": 401,
    "detail": "[Empty in production]",
    "instance": None,
    "extensions": {},
}
# A wrong password is a 400 (ioBroker.easee#51: "Request failed with status code 400"); the
# body's fields are in the shape of the refresh error above, its words are ours (inferred).
BAD_LOGIN_BODY: dict[str, Any] = {
    "errorCode": 100,
    "errorCodeName": "InvalidUserPassword",
    "type": None,
    "title": "Invalid username or password",
    "status": 400,
    "detail": "[Empty in production]",
    "instance": None,
    "extensions": {},
}


class AuthFailure(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


@dataclass
class _Grant:
    account: SimAccount
    access_token: str
    access_expires: datetime
    refresh_token: str
    refresh_expires: datetime


class TokenAuthority:
    """Issues and checks tokens; every token is unique and derived from the seed."""

    def __init__(
        self, accounts: list[SimAccount], seed: int, access_ttl_s: int, refresh_ttl_s: int
    ) -> None:
        self._accounts = {a.email.lower(): a for a in accounts}
        self._seed = seed
        self._access_ttl = timedelta(seconds=access_ttl_s)
        self._refresh_ttl = timedelta(seconds=refresh_ttl_s)
        self._counter = itertools.count(1)
        self._by_access: dict[str, _Grant] = {}
        self._by_refresh: dict[str, _Grant] = {}
        self.logins: dict[str, int] = {}
        self.refreshes: dict[str, int] = {}

    def account(self, email: str) -> SimAccount | None:
        return self._accounts.get(email.strip().lower())

    def _token(self, kind: str) -> str:
        digest = hashlib.sha256(f"{self._seed}:{kind}:{next(self._counter)}".encode())
        return digest.hexdigest()

    def _issue(self, account: SimAccount, now: datetime) -> dict[str, Any]:
        grant = _Grant(
            account,
            self._token("access"),
            now + self._access_ttl,
            self._token("refresh"),
            now + self._refresh_ttl,
        )
        self._by_access[grant.access_token] = grant
        self._by_refresh[grant.refresh_token] = grant
        return {
            "accessToken": grant.access_token,
            "expiresIn": float(self._access_ttl.total_seconds()),
            "accessClaims": ["User"],
            "tokenType": "Bearer",
            "refreshToken": grant.refresh_token,
        }

    def login(self, body: object, now: datetime) -> tuple[SimAccount, dict[str, Any]]:
        if not isinstance(body, dict):
            raise AuthFailure(400, BAD_LOGIN_BODY)
        account = self.account(str(body.get("userName", "")))
        if account is None or body.get("password") != account.password:
            raise AuthFailure(400, BAD_LOGIN_BODY)
        self.logins[account.email] = self.logins.get(account.email, 0) + 1
        return account, self._issue(account, now)

    def refresh(self, body: object, now: datetime) -> tuple[SimAccount, dict[str, Any]]:
        if not isinstance(body, dict):
            raise AuthFailure(400, BAD_LOGIN_BODY)
        grant = self._by_refresh.get(str(body.get("refreshToken", "")))
        if grant is None or grant.refresh_expires <= now:
            raise AuthFailure(401, REFRESH_EXPIRED_BODY)
        if body.get("accessToken") != grant.access_token:
            raise AuthFailure(400, BAD_LOGIN_BODY)
        del self._by_refresh[grant.refresh_token]  # a refresh token is used once
        self._by_access.pop(grant.access_token, None)
        account = grant.account
        self.refreshes[account.email] = self.refreshes.get(account.email, 0) + 1
        return account, self._issue(account, now)

    def expire_refresh(self, refresh_token: str) -> None:
        grant = self._by_refresh.pop(refresh_token, None)
        if grant is not None:
            self._by_access.pop(grant.access_token, None)

    def check(self, access_token: str, now: datetime) -> SimAccount | None:
        grant = self._by_access.get(access_token)
        if grant is None or grant.access_expires <= now:
            return None
        return grant.account

    def expire_access_tokens(self) -> None:
        """Every access token expires now (tests of the refresh path)."""
        for grant in self._by_access.values():
            grant.access_expires = datetime.min.replace(tzinfo=grant.access_expires.tzinfo)
