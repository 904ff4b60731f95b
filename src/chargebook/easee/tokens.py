"""The Easee sign-in kept between runs: access token, refresh token and when the access token
expires, as opaque text fields of the `TokenKeeper` the client is given (the book encrypts
them per account). Never in a repr."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chargebook.errors import ApiPayloadError

BRAND = "Easee"


@dataclass(frozen=True, slots=True)
class Tokens:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: datetime

    def to_fields(self) -> dict[str, str]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at.isoformat(),
        }

    @classmethod
    def from_fields(cls, fields: Mapping[str, str] | None) -> Tokens | None:
        """The stored tokens, or None when nothing usable is stored."""
        if not fields:
            return None
        try:
            expires = datetime.fromisoformat(fields["expires_at"])
            return cls(fields["access_token"], fields["refresh_token"], expires)
        except (KeyError, ValueError):
            return None


def parse_token_response(payload: Any, now: datetime) -> Tokens:
    """`{"accessToken", "expiresIn", "refreshToken", ...}` (pyeasee `tests/fixtures/token.json`).

    Raises:
        ApiPayloadError: a field is missing or of the wrong type.
    """
    if not isinstance(payload, dict):
        raise ApiPayloadError("Easee's sign-in answer is not a JSON object", brand=BRAND)
    access, refresh, expires_in = (
        payload.get("accessToken"),
        payload.get("refreshToken"),
        payload.get("expiresIn"),
    )
    if not isinstance(access, str) or not access or not isinstance(refresh, str):
        raise ApiPayloadError("Easee's sign-in answer has no tokens", brand=BRAND)
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float) or expires_in <= 0:
        raise ApiPayloadError("Easee's sign-in answer has no valid expiresIn", brand=BRAND)
    return Tokens(access, refresh, now + timedelta(seconds=float(expires_in)))
