"""Sign-in, refresh and bearer-token checks, as the Wallbox user-api behaves (reference §1).

Tokens look like real JWTs (HS256 with a per-simulator random secret) and carry the account's
e-mail, so tests that check tokens never leak are meaningful. Access tokens are stateless;
refresh tokens are stored so they can rotate, expire, be revoked and be capped per account.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chargebook.simulator.wallbox.fleet import SimAccount


class AuthFailure(Exception):
    """Authentication failed; `status` is the HTTP status the API answers (401 or 403)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class RefreshGrant:
    email: str
    expires_epoch_s: float


class TokenAuthority:
    """Issues and checks tokens against the simulator's clock (epoch seconds in, ms out)."""

    def __init__(
        self, accounts: list[SimAccount], config_ttl_s: int, refresh_ttl_s: int, max_sessions: int
    ) -> None:
        self._accounts = {a.email.lower(): a for a in accounts}
        self._secret = secrets.token_bytes(32)
        self._ttl_s = config_ttl_s
        self._refresh_ttl_s = refresh_ttl_s
        self._max_sessions = max_sessions
        # jti -> grant, oldest first per insertion, so the login-session cap drops the oldest.
        self._refresh: OrderedDict[str, RefreshGrant] = OrderedDict()

    def account(self, email: str) -> SimAccount | None:
        return self._accounts.get(email.lower())

    def _sign(self, claims: dict[str, Any]) -> str:
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = f"{header}.{payload}".encode()
        signature = hmac.new(self._secret, signing_input, hashlib.sha256).digest()
        return f"{header}.{payload}.{_b64(signature)}"

    def _claims(self, token: str) -> dict[str, Any]:
        parts = token.split(".")
        if len(parts) != 3:
            raise AuthFailure(401, "malformed token")
        expected = hmac.new(self._secret, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256)
        try:
            valid = hmac.compare_digest(_b64(expected.digest()), parts[2])
            claims = json.loads(_unb64(parts[1])) if valid else None
        except (binascii.Error, ValueError):
            claims = None
        if not isinstance(claims, dict):
            raise AuthFailure(401, "invalid token")
        return claims

    def _issue(self, account: SimAccount, now: datetime) -> dict[str, Any]:
        now_s = now.timestamp()
        jti = secrets.token_hex(12)
        common = {"sub": account.user_id, "username": account.email, "iat": int(now_s)}
        access = self._sign({**common, "type": "access", "exp": int(now_s + self._ttl_s)})
        refresh_exp = now_s + self._refresh_ttl_s
        refresh = self._sign({**common, "type": "refresh", "exp": int(refresh_exp), "jti": jti})
        self._refresh[jti] = RefreshGrant(account.email, refresh_exp)
        mine = [k for k, g in self._refresh.items() if g.email == account.email]
        for old in mine[: max(0, len(mine) - self._max_sessions)]:
            del self._refresh[old]  # past the login-session cap the oldest session is dropped
        return {
            "token": access,
            "refresh_token": refresh,
            "user_id": account.user_id,
            "ttl": int((now_s + self._ttl_s) * 1000),  # absolute epoch MILLISECONDS
            "refresh_token_ttl": int(refresh_exp * 1000),
            "error": "false",
            "status": 200,
        }

    def sign_in(
        self, email: str, password: str, now: datetime
    ) -> tuple[SimAccount, dict[str, Any]]:
        """Basic-auth sign-in; wrong e-mail or password raises AuthFailure(403)."""
        account = self.account(email)
        if account is None or not hmac.compare_digest(account.password, password):
            raise AuthFailure(403, "invalid credentials")
        return account, self._issue(account, now)

    def refresh(self, token: str, now: datetime) -> tuple[SimAccount, dict[str, Any]]:
        """Rotate a refresh token: the old one stops working. Unknown/expired/revoked: 401."""
        claims = self._claims(token)
        grant = self._refresh.pop(str(claims.get("jti")), None)
        if claims.get("type") != "refresh" or grant is None:
            raise AuthFailure(401, "refresh token revoked or unknown")
        account = self.account(grant.email)
        if account is None or grant.expires_epoch_s <= now.timestamp():
            raise AuthFailure(401, "refresh token expired")
        return account, self._issue(account, now)

    def peek_refresh_owner(self, token: str) -> SimAccount | None:
        """The account a still-valid refresh token belongs to (for logging and faults)."""
        try:
            claims = self._claims(token)
        except AuthFailure:
            return None
        grant = self._refresh.get(str(claims.get("jti")))
        return None if grant is None else self.account(grant.email)

    def check_access(self, token: str, now: datetime) -> SimAccount:
        """The account of a valid access token; expired or forged tokens raise 401."""
        claims = self._claims(token)
        account = self.account(str(claims.get("username", "")))
        if claims.get("type") != "access" or account is None:
            raise AuthFailure(401, "invalid token")
        if float(claims.get("exp", 0)) <= now.timestamp():
            raise AuthFailure(401, "token expired")
        return account

    def revoke(self, email: str) -> None:
        """Revoke every refresh token of `email` (access tokens live until they expire)."""
        for jti in [k for k, g in self._refresh.items() if g.email.lower() == email.lower()]:
            del self._refresh[jti]
