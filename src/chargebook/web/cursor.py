"""Opaque cursors for keyset pagination of sessions: base64url of (started_at, id)."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from chargebook.web.errors import InvalidInputError


@dataclass(frozen=True, slots=True)
class SessionCursor:
    """The last session of a page; the next page starts strictly after it (newest first)."""

    started_at: datetime
    id: int

    @property
    def keyset(self) -> tuple[datetime, int]:
        return self.started_at, self.id

    def encode(self) -> str:
        """The opaque text handed to clients."""
        stamp = self.started_at.astimezone(UTC).isoformat()
        raw = json.dumps([stamp, self.id], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, text: str) -> SessionCursor:
        """Parse a cursor made by `encode`.

        Raises:
            InvalidInputError: the text is not such a cursor.
        """
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            stamp, session_id = json.loads(raw)
            started_at = datetime.fromisoformat(stamp)
            if started_at.tzinfo is None or not isinstance(session_id, int):
                raise ValueError("naive time or non-integer id")
            if not 0 <= session_id < 2**63:
                raise ValueError("id out of range")
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
            raise InvalidInputError("the cursor is not valid", field="cursor") from exc
        return cls(started_at.astimezone(UTC), session_id)
