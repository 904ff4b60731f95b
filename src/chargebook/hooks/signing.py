"""How a delivery is signed: HMAC-SHA256 of `<timestamp>.<body>` with the endpoint's secret.

Headers: `X-Chargebook-Timestamp` (Unix seconds), `X-Chargebook-Signature: v1=<hex>`,
`X-Chargebook-Event`, `X-Chargebook-Delivery`. A receiver recomputes the MAC over the raw
body and refuses old timestamps (replays); see docs/webhooks.md.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TIMESTAMP_HEADER = "X-Chargebook-Timestamp"
SIGNATURE_HEADER = "X-Chargebook-Signature"
EVENT_HEADER = "X-Chargebook-Event"
DELIVERY_HEADER = "X-Chargebook-Delivery"
SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)


def new_secret() -> str:
    """A fresh endpoint secret (shown once to its creator, stored encrypted)."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`v1=<hex>`: HMAC-SHA256 over the timestamp, a dot and the exact body bytes."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def signed_headers(
    secret: str, timestamp: int, body: bytes, *, event: str, delivery_id: int
) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "chargebook-webhooks/1",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
        EVENT_HEADER: event,
        DELIVERY_HEADER: str(delivery_id),
    }
