"""Backfill and incremental window arithmetic."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from chargebook.sync.windows import (
    HISTORY_FLOOR,
    SyncConfig,
    after_backfill_window,
    horizon,
    incremental_window,
    initial_state,
    next_backfill_window,
)

NOW = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
CONFIG = SyncConfig(
    backfill_window=timedelta(days=30),
    overlap=timedelta(days=2),
    max_history=timedelta(days=100),
    stop_after_empty_windows=0,
)


def test_horizon_is_never_before_2015() -> None:
    assert horizon(NOW, CONFIG) == NOW - timedelta(days=100)
    long = SyncConfig(max_history=timedelta(days=365 * 30))
    assert horizon(NOW, long) == HISTORY_FLOOR


def test_backfill_walks_back_to_the_horizon_in_windows() -> None:
    state = initial_state("9", NOW)
    windows = []
    while (window := next_backfill_window(state, NOW, CONFIG)) is not None:
        windows.append(window)
        state = after_backfill_window(state, window[0], found=1, now=NOW, config=CONFIG)
    assert state.backfill_complete
    assert windows[0] == (NOW - timedelta(days=30), NOW)
    assert windows[-1][0] == NOW - timedelta(days=100)
    # contiguous, half-open, no gap and no overlap
    for newer, older in itertools.pairwise(windows):
        assert older[1] == newer[0]
    assert len(windows) == 4


def test_backfill_stops_after_empty_windows() -> None:
    config = SyncConfig(
        backfill_window=timedelta(days=30),
        max_history=timedelta(days=1000),
        stop_after_empty_windows=2,
    )
    state = initial_state("9", NOW)
    state = after_backfill_window(state, NOW - timedelta(days=30), 5, NOW, config)
    state = after_backfill_window(state, NOW - timedelta(days=60), 0, NOW, config)
    assert not state.backfill_complete
    state = after_backfill_window(state, NOW - timedelta(days=90), 0, NOW, config)
    assert state.backfill_complete
    assert state.sessions_found == 5
    assert next_backfill_window(state, NOW, config) is None


def test_incremental_window_rereads_the_overlap() -> None:
    state = initial_state("9", NOW - timedelta(hours=1))
    assert incremental_window(state, NOW, CONFIG) == (
        NOW - timedelta(hours=1) - timedelta(days=2),
        NOW,
    )
