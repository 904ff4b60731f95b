"""Request parameters every route shares: row ids, days and moments, each bounded so a value
from a URL can never reach the database or the date arithmetic out of range (a 4xx, never 500).

    def page(charger_id: RowId, ...)                      # a path id
    charger_id: OptionalRowIdQuery = None                 # an optional id in the query
    day = parse_day(text, "start")                        # "YYYY-MM-DD" in the sane window
    moment = check_moment(value, "start")                 # tz-aware and in the sane window

`test_route_params.py` checks that every integer parameter of every route is bounded.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import Path, Query

from chargebook.web.errors import InvalidInputError

# Id columns are `Integer`: int4 on PostgreSQL (SQLite's INTEGER is wider), so no row of
# either backend has a larger id, and a larger one would overflow the driver (OverflowError).
MAX_ROW_ID = 2**31 - 1
# Dates and moments a request may name: charging sessions exist from about 2010 on; the window
# is wide for filters, yet far enough from year 1 and 9999 that local-time arithmetic (a day
# added, an hour's offset) can never leave Python's datetime range.
EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(2099, 12, 31)

_ID_HELP = f"a positive id (at most {MAX_ROW_ID})"
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description=_ID_HELP)]
OptionalRowIdQuery = Annotated[int | None, Query(ge=1, le=MAX_ROW_ID, description=_ID_HELP)]


def _window_message(field: str) -> str:
    return f"{field}: use a date between {EARLIEST_DAY} and {LATEST_DAY}"


def parse_row_id(text: str | None, field: str) -> int | None:
    """An id typed into a query string or form ("" or None = none).

    Raises:
        InvalidInputError: not plain ASCII digits, or outside 1..MAX_ROW_ID.
    """
    if not text:
        return None
    # str.isdigit() accepts "²" and other digits int() refuses: ASCII digits only.
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        raise InvalidInputError(f"{field}: unknown id", field=field)
    value = int(text)
    if not 1 <= value <= MAX_ROW_ID:
        raise InvalidInputError(f"{field}: unknown id", field=field)
    return value


def parse_day(text: str | None, field: str) -> date | None:
    """A day "YYYY-MM-DD" between EARLIEST_DAY and LATEST_DAY ("" or None = none).

    Raises:
        InvalidInputError: not such a date, or outside the window.
    """
    if not text:
        return None
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise InvalidInputError(f"{field}: use dates like 2026-01-31", field=field)
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise InvalidInputError(_window_message(field), field=field)
    return day


def check_moment(moment: datetime | None, field: str) -> datetime | None:
    """A moment with a time zone, within the day window, in UTC (None stays None).

    Raises:
        InvalidInputError: naive, or outside the window (an offset of -23:59 on 9999-12-31
            would overflow when converted to UTC).
    """
    if moment is None:
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInputError(f"{field} needs a time zone (e.g. ...Z)", field=field)
    # The local date is compared first: converting an edge moment to UTC may overflow.
    if not EARLIEST_DAY <= moment.date() <= LATEST_DAY:
        raise InvalidInputError(_window_message(field), field=field)
    return moment.astimezone(UTC)
