"""Pure window arithmetic for backfill and incremental syncs (all intervals half-open)."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chargebook.domain.book import SyncState

# Wallbox started selling connected chargers in 2015; nothing older can be in the cloud.
HISTORY_FLOOR = datetime(2015, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class SyncConfig:
    """How far back and in which steps the engine reads a charger's history.

    Attributes:
        backfill_window: the span of one history read walking back, paged inside (one read
            per 1,000 sessions). The default spans the whole horizon: under Wallbox's 3 reads
            a minute every extra window costs 20 s, and a window with no session costs a read
            as much as a full page does.
        overlap: how much before `synced_until` an incremental sync re-reads, to catch
            sessions that were still running (history lists only ended sessions).
        max_history: the furthest back a backfill goes (also never before 2015).
        stop_after_empty_windows: stop the backfill early after this many consecutive empty
            windows (the charger's first session lies behind us); 0 walks to the horizon.
        batch_size: records checked and compared with the book at a time.
        max_concurrent_accounts: accounts synced at the same time.
        write_group_rows: rows (sessions, cursor saves) of all accounts committed in one
            transaction; 1 commits every batch and cursor on its own (see `write_group`).
        write_group_delay_s: the longest a queued write waits for its group to fill.
    """

    backfill_window: timedelta = timedelta(days=366 * 10)
    overlap: timedelta = timedelta(days=2)
    max_history: timedelta = timedelta(days=366 * 10)
    stop_after_empty_windows: int = 4
    batch_size: int = 1000
    max_concurrent_accounts: int = 4
    write_group_rows: int = 5000
    write_group_delay_s: float = 0.5

    def __post_init__(self) -> None:
        if self.backfill_window <= timedelta(0) or self.overlap < timedelta(0):
            raise ValueError("the backfill window must be positive and the overlap not negative")
        if self.batch_size < 1 or self.max_concurrent_accounts < 1:
            raise ValueError("batch size and concurrency must be at least 1")
        if self.write_group_rows < 1 or self.write_group_delay_s <= 0:
            raise ValueError("a write group holds at least one row and waits a positive time")


def horizon(now: datetime, config: SyncConfig) -> datetime:
    """The oldest start time a backfill reads."""
    return max(HISTORY_FLOOR, now - config.max_history)


def initial_state(charger_external_id: str, now: datetime) -> SyncState:
    """A new charger's cursor: nothing read yet; the backfill starts at `now` going back."""
    return SyncState(charger_external_id=charger_external_id, synced_until=now, backfill_cursor=now)


def incremental_window(
    state: SyncState, now: datetime, config: SyncConfig
) -> tuple[datetime, datetime]:
    """[synced_until - overlap, now): what an incremental sync reads."""
    until = state.synced_until or now
    return min(until - config.overlap, now), now


def next_backfill_window(
    state: SyncState, now: datetime, config: SyncConfig
) -> tuple[datetime, datetime] | None:
    """The next older window to read, or None when the backfill is complete."""
    if state.backfill_complete:
        return None
    end = state.backfill_cursor or state.synced_until or now
    oldest = horizon(now, config)
    if end <= oldest:
        return None
    return max(oldest, end - config.backfill_window), end


def after_backfill_window(
    state: SyncState, start: datetime, found: int, now: datetime, config: SyncConfig
) -> SyncState:
    """The cursor after the window starting at `start` was read completely (`found` records)."""
    empty = 0 if found else state.empty_windows + 1
    complete = start <= horizon(now, config) or (
        config.stop_after_empty_windows > 0 and empty >= config.stop_after_empty_windows
    )
    return dataclasses.replace(
        state,
        backfill_cursor=start,
        backfill_complete=complete,
        sessions_found=state.sessions_found + found,
        empty_windows=empty,
    )


def first_sync_window(
    state: SyncState, now: datetime, config: SyncConfig
) -> tuple[datetime, datetime] | None:
    """[oldest, now) for a charger of which nothing was read yet, else None.

    A new charger's incremental window and its first backfill window meet at the cursor
    `initial_state` set, so a first sync reads both as one range (one read, not two).
    """
    never_read = state.last_success_at is None and state.sessions_found == 0
    if state.backfill_complete or not never_read or state.backfill_cursor != state.synced_until:
        return None
    window = next_backfill_window(state, now, config)
    if window is None:
        return None
    return window[0], now


def planned_reads(state: SyncState, now: datetime, config: SyncConfig) -> int:
    """The reads a sync of this charger is planned at, one per range (pages add to it)."""
    if first_sync_window(state, now, config) is not None:
        rest = dataclasses.replace(
            state, backfill_cursor=max(horizon(now, config), now - config.backfill_window)
        )
        return 1 + remaining_backfill_windows(rest, now, config)
    return 1 + remaining_backfill_windows(state, now, config)


def remaining_backfill_windows(state: SyncState, now: datetime, config: SyncConfig) -> int:
    """An upper bound on the backfill requests left (for progress bars)."""
    if state.backfill_complete:
        return 0
    end = state.backfill_cursor or state.synced_until or now
    span = (end - horizon(now, config)).total_seconds()
    if span <= 0:
        return 0
    windows = math.ceil(span / config.backfill_window.total_seconds())
    if config.stop_after_empty_windows > 0:
        windows = min(windows, config.stop_after_empty_windows - state.empty_windows)
        # Unknown how many non-empty windows come first; the walk may take longer.
        windows = max(windows, 1)
    return windows
