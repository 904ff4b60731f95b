"""A charger's upstream central system: the one it reported to before chargebook (the owner's
app or operator, an ERE provider), to which chargebook mirrors its OCPP traffic.

Who answers the charger and whose commands reach it is the `UpstreamMode`; see
`chargebook.central_system.mirror` for what each mode does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit


class UpstreamMode(StrEnum):
    # The upstream answers the charger and commands it; chargebook records (a tap).
    UPSTREAM_PRIMARY = "upstream-primary"
    # chargebook answers and commands; the upstream gets a copy and a few commands.
    CHARGEBOOK_PRIMARY = "chargebook-primary"


@dataclass(frozen=True, slots=True)
class UpstreamConfig:
    """Where and how chargebook connects to a charger's upstream as that charge point."""

    charge_point_id: str
    url: str  # ws:// or wss:// base; the charge point id is appended as the last segment
    mode: UpstreamMode
    username: str  # Basic-auth user, normally the charge point id
    password_encrypted: str | None = field(repr=False)  # SecretBox ciphertext, None: no auth


def upstream_url_problem(url: str) -> str | None:
    """Why `url` cannot be an upstream central-system address, or None if it can."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "the upstream URL cannot be read"
    if parts.scheme not in ("ws", "wss"):
        return "the upstream URL must start with ws:// or wss://"
    if not parts.hostname:
        return "the upstream URL has no host"
    if parts.username or parts.password:
        # Credentials in a URL end up in logs; they belong in the encrypted password.
        return "put no user or password in the upstream URL (use --password-stdin)"
    if parts.query or parts.fragment:
        return "the upstream URL must not have a query or fragment"
    return None


def upstream_address(url: str, charge_point_id: str) -> str:
    """The URL chargebook dials for `charge_point_id`: the base with the id as last segment
    (OCPP Part 4 §6.2: the same URI path the charger would use)."""
    return url.rstrip("/") + "/" + charge_point_id
