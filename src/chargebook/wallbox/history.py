"""Session history helpers: pages and the time windows a long history is fetched in."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from chargebook.clock import ensure_utc
from chargebook.domain.models import SessionRecord

DEFAULT_WINDOW = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class SessionPage:
    """One page of `v4/sessions/stats`.

    Attributes:
        count: the server's total number of sessions for the whole query (`meta.count`).
        offset: where this page starts in that total.
        records: the items, parsed or quarantined, in server order.
    """

    count: int
    offset: int
    records: list[SessionRecord]


def time_windows(
    start: datetime, end: datetime, window: timedelta = DEFAULT_WINDOW
) -> Iterator[tuple[datetime, datetime]]:
    """Split [start, end) into consecutive half-open windows of at most `window`.

    Raises:
        ValueError: naive datetimes or a non-positive window.
    """
    start, end = ensure_utc(start), ensure_utc(end)
    if window <= timedelta(0):
        raise ValueError("the window must be positive")
    cursor = start
    while cursor < end:
        stop = min(cursor + window, end)
        yield cursor, stop
        cursor = stop
