"""Sign-in and refresh responses (`GET /users/signin`, `GET /users/refresh-token`)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from chargebook.wallbox.tokens import Tokens
from chargebook.wallbox.wire.common import WireModel, parse_payload


class _AuthAttributes(WireModel):
    token: str = Field(min_length=1)
    refresh_token: str = Field(min_length=1)
    # Absolute expiry times in epoch MILLISECONDS, not durations (reference §1).
    ttl: int
    refresh_token_ttl: int
    user_id: int | None = None


class _AuthData(WireModel):
    attributes: _AuthAttributes


class AuthResponse(WireModel):
    data: _AuthData


def parse_tokens(payload: Any) -> Tokens:
    """The tokens in a sign-in or refresh response.

    Raises:
        WallboxPayloadError: a field is missing or has the wrong type (never shows values).
    """
    attributes = parse_payload(AuthResponse, payload, what="sign-in").data.attributes
    return Tokens(
        access_token=attributes.token,
        refresh_token=attributes.refresh_token,
        access_expires_at_ms=attributes.ttl,
        refresh_expires_at_ms=attributes.refresh_token_ttl,
        user_id=attributes.user_id,
    )
