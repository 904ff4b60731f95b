"""Canonical JSON text and its SHA-256: the same payload always gives the same bytes and hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any


def _default(value: object) -> str:
    # Raw payloads are plain JSON; audit payloads may carry exact numbers and times.
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def canonical_json(payload: Mapping[str, Any]) -> str:
    """Sorted keys, no whitespace, UTF-8 text; Decimals and datetimes become strings.

    Raises:
        TypeError: the payload holds something JSON cannot represent.
    """
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
    )


def sha256_hex(text: str) -> str:
    """The SHA-256 of `text` encoded as UTF-8, as 64 lower-case hex digits."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
