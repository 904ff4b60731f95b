"""Reading a client's session cursor back (`decode_cursor`); the cursor itself and its text
are the book's (`chargebook.book.cursor.SessionCursor`)."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from chargebook.book.cursor import SessionCursor
from chargebook.web.errors import InvalidInputError
from chargebook.web.params import MAX_ROW_ID, check_moment

_NOT_A_CURSOR = (ValueError, TypeError, binascii.Error, UnicodeDecodeError, InvalidInputError)


def decode_cursor(text: str) -> SessionCursor:
    """Parse a cursor made by `SessionCursor.encode`.

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
    return SessionCursor(started_at, session_id)
