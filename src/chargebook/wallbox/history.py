"""Session history helpers: pages, the time windows a history may be read in, and the paging
of one range by `offset` (`read_range`)."""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator, Awaitable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from chargebook.clock import ensure_utc
from chargebook.domain.models import SessionRecord
from chargebook.domain.ports import PageListener
from chargebook.wallbox.exceptions import WallboxRequestError

_LOGGER = logging.getLogger(__name__)

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


class PageFetcher(Protocol):
    """One page of one charger's history (`WallboxClient.fetch_session_page`, bound)."""

    def __call__(
        self, *, start: datetime, end: datetime, limit: int, offset: int
    ) -> Awaitable[SessionPage]: ...


async def read_range(
    fetch: PageFetcher,
    *,
    start: datetime,
    end: datetime,
    page_size: int,
    window: timedelta | None,
    on_page: PageListener | None,
) -> AsyncIterator[SessionRecord]:
    """Every session that started in [start, end): one query paged by `offset`, or with
    `window` one query per window; see `WallboxClient.iter_sessions`.

    The longest span the real API accepts is undocumented (reference §2.9): if it refuses
    the first page of a whole range as a bad request, the range is read in `DEFAULT_WINDOW`
    windows instead (spans HA's and the PyPI client's tests show working).
    """
    answered = False

    async def first_answered(
        *, start: datetime, end: datetime, limit: int, offset: int
    ) -> SessionPage:
        nonlocal answered
        page = await fetch(start=start, end=end, limit=limit, offset=offset)
        answered = True
        return page

    try:
        async for record in _read_spans(first_answered, start, end, page_size, window, on_page):
            yield record
    except WallboxRequestError as exc:
        if window is not None or answered:
            raise
        _LOGGER.warning(
            "Wallbox refused a history query of %d days (%s); reading it in %d-day windows",
            (end - start).days, exc.message, DEFAULT_WINDOW.days,
        )  # fmt: skip
        async for record in _read_spans(fetch, start, end, page_size, DEFAULT_WINDOW, on_page):
            yield record


async def _read_spans(
    fetch: PageFetcher,
    start: datetime,
    end: datetime,
    page_size: int,
    window: timedelta | None,
    on_page: PageListener | None,
) -> AsyncIterator[SessionRecord]:
    start, end = ensure_utc(start), ensure_utc(end)
    spans = [(start, end)] if window is None else list(time_windows(start, end, window))
    if start >= end:
        spans = []
    seen: set[str] = set()
    pages_read = 0
    for index, (span_start, span_end) in enumerate(spans):
        in_span: set[str] = set()
        offset = 0
        while True:
            page = await fetch(start=span_start, end=span_end, limit=page_size, offset=offset)
            pages_read += 1
            repeats = 0
            records = []
            on_page_ids: set[str] = set()
            for record in page.records:
                key = record.external_id
                if key is not None and key in in_span:
                    repeats += 1  # this page overlaps the previous one
                if key is not None:
                    on_page_ids.add(key)
                    if key in seen:  # also a session on a window boundary
                        continue
                    seen.add(key)
                if record.session and not start <= record.session.started_at < end:
                    continue
                records.append(record)
            in_span |= on_page_ids  # an id twice on one page is no overlap
            # An overlapping page repeated `repeats` items, so it reached that many items
            # less far; advancing by the full page would skip them.
            offset += len(page.records) - repeats or len(page.records)
            # An empty page before `count` would loop forever: the server ran out.
            done = not page.records or offset >= page.count
            if on_page is not None:
                left = 0 if done else math.ceil((page.count - offset) / page_size)
                on_page(pages_read, pages_read + left + len(spans) - index - 1)
            for record in records:
                yield record
            if done:
                break
