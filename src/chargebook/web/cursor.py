"""Opaque cursors for keyset pagination of sessions: base64url of (started_at, id)."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from chargebook.web.errors import InvalidInputError
from chargebook.web.params import MAX_ROW_ID, check_moment

_NOT_A_CURSOR = (ValueError, TypeError, binascii.Error, UnicodeDecodeError, InvalidInputError)


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
            # Bounded like any request value: an edge stamp (9999-12-31 at -23:59) would
            # overflow in the conversion to UTC, a huge id in the database driver.
            started_at = check_moment(datetime.fromisoformat(stamp), "cursor")
            if started_at is None or type(session_id) is not int:
                raise ValueError("no time or a non-integer id")
            if not 1 <= session_id <= MAX_ROW_ID:
                raise ValueError("id out of range")
        except _NOT_A_CURSOR as exc:
            raise InvalidInputError("the cursor is not valid", field="cursor") from exc
        return cls(started_at, session_id)
