"""A client whose history API answers one short span per request under a tight budget
(`domain.ports.HistoryWindow`, the Easee client's 92 days at 10 an hour) is read by the engine
in spans of that length, newest first, with the cursor kept after each: a budget that runs out
mid-backfill costs the rest of the backfill, never what was read, and the recent sessions come
first. Before, the engine asked for the whole ten-year horizon in one read, which such a client
could never finish (a 2019 Easee's backfill failed on every run with nothing booked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from chargebook.clock import FixedClock
from chargebook.sync import AccountSource, SyncConfig, SyncEngine

from .fakes import FakeBook, FakeCloud, cloud_with_history

SPAN = timedelta(days=30)
CONFIG = SyncConfig(stop_after_empty_windows=0)  # the default ten-year window and horizon


@dataclass
class SpanCloud(FakeCloud):
    """A fake cloud that answers `SPAN` per history read."""

    @property
    def history_window(self) -> timedelta:
        return SPAN


async def test_the_backfill_walks_back_in_the_clients_spans_and_keeps_each(
    clock: FixedClock,
) -> None:
    history = cloud_with_history(clock, days=120)
    cloud = SpanCloud(chargers=history.chargers, sessions=history.sessions, fail_after=3)
    book = FakeBook()
    engine = SyncEngine(book.open, clock, CONFIG)
    account = AccountSource(1, "owner@example.com", cloud)

    first = await engine.sync_account(account)  # the budget runs out after 3 reads
    assert first.error is not None
    spans = [(start, end) for _, start, end in cloud.windows]
    assert spans[0] == (clock.now() - SPAN, clock.now())  # the newest span first
    assert all(end - start <= SPAN for start, end in spans)
    booked = set(book.state.sessions)
    assert booked  # what was read is kept
    newest = {
        str(raw["id"]) for raw in history.sessions["101"] if raw["start"] >= spans[0][0].timestamp()
    }
    assert newest <= booked

    cloud.fail_after = None
    second = await engine.sync_account(account)  # the next run goes on from the cursor
    assert second.error is None
    expected = {str(raw["id"]) for items in history.sessions.values() for raw in items}
    assert set(book.state.sessions) == expected


async def test_a_client_without_a_span_is_read_in_the_engines_own_window(
    clock: FixedClock,
) -> None:
    cloud = cloud_with_history(clock, days=60)
    engine = SyncEngine(FakeBook().open, clock, CONFIG)
    report = await engine.sync_account(AccountSource(1, "owner@example.com", cloud))
    assert report.error is None
    assert len(cloud.windows) == len(cloud.chargers)  # one read each: the whole horizon
