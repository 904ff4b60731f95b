"""`SessionCursor`: where a page of sessions ends (started_at, id), for keyset pagination.

The core owns the key and its opaque text (`encode`); reading the text back is a door's job,
because a door checks what a client sends against its own bounds (`web/cursor.py`).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class SessionCursor:
    """The last session of a page; the next page starts strictly after it (newest first)."""

    started_at: datetime
    id: int

    @property
    def keyset(self) -> tuple[datetime, int]:
        return self.started_at, self.id

    def encode(self) -> str:
        """The opaque text handed to clients: base64url of [started_at in UTC, id]."""
        stamp = self.started_at.astimezone(UTC).isoformat()
        raw = json.dumps([stamp, self.id], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
