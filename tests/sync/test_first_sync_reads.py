"""A first sync makes the fewest reads the rate limit allows, and reports progress in reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from chargebook.clock import FixedClock
from chargebook.sync import AccountSource, SyncConfig, SyncEngine
from chargebook.sync.windows import horizon

from .fakes import FakeBook, cloud_with_history


@dataclass
class Updates:
    seen: list[tuple[int, int, str]] = field(default_factory=list)

    def update(self, account: str, *, done: int, total: int, note: str) -> None:
        self.seen.append((done, total, note))


async def test_a_first_sync_reads_each_charger_once_over_its_whole_history(
    clock: FixedClock,
) -> None:
    cloud = cloud_with_history(clock, days=3 * 365)
    book = FakeBook()
    config = SyncConfig()  # the defaults `chargebook sync` and the wizard's backfill use
    report = await SyncEngine(book.open, clock, config).sync_account(
        AccountSource(1, "owner@example.com", cloud)
    )
    assert report.error is None
    assert report.backfill_complete
    assert report.new == sum(len(items) for items in cloud.sessions.values())
    # One groups read and one range per charger: [horizon, now), not the recent days plus
    # 180-day windows walking back until four of them came back empty.
    oldest = horizon(clock.now(), config)
    assert [(cid, start, end) for cid, start, end in cloud.windows] == [
        ("101", oldest, clock.now()),
        ("102", oldest, clock.now()),
    ]
    assert report.requests == 1 + 2


async def test_progress_counts_reads_and_learns_the_pages_from_the_first_one(
    clock: FixedClock,
) -> None:
    cloud = cloud_with_history(clock, days=60)
    cloud.page_size = 10  # about 42 sessions per charger: 5 pages each
    pages = {cid: -(-len(items) // 10) for cid, items in cloud.sessions.items()}
    updates = Updates()
    engine = SyncEngine(FakeBook().open, clock, SyncConfig(), progress=updates)
    report = await engine.sync_account(AccountSource(1, "owner@example.com", cloud))
    reads = 1 + sum(pages.values())
    assert report.requests == reads
    done, total, note = updates.seen[-1]
    assert (done, total, note) == (reads, reads, "done")
    # `done` only grows, never past what is expected; and the expectation is right as soon as
    # a charger's first page is read (the server's count), not only after its last page.
    assert all(d <= t for d, t, _ in updates.seen)
    assert [d for d, _, _ in updates.seen] == sorted(d for d, _, _ in updates.seen)
    after_first_pages = [t for d, t, _ in updates.seen if d == 1 + pages["101"] + 1]
    assert after_first_pages
    assert after_first_pages[0] == reads


async def test_chargers_just_listed_by_the_caller_are_not_listed_again(
    clock: FixedClock,
) -> None:
    cloud = cloud_with_history(clock, days=30)
    account = AccountSource(1, "owner@example.com", cloud, known_chargers=tuple(cloud.chargers))
    book = FakeBook()
    report = await SyncEngine(book.open, clock, SyncConfig()).sync_account(account)
    assert report.error is None
    assert report.chargers == 2
    assert report.requests == 2  # the two history reads; no groups read
    assert set(book.state.chargers) == {"101", "102"}


async def test_after_the_first_sync_a_sync_reads_the_recent_days_only(clock: FixedClock) -> None:
    cloud = cloud_with_history(clock, days=100)
    engine = SyncEngine(FakeBook().open, clock, SyncConfig())
    account = AccountSource(1, "owner@example.com", cloud)
    await engine.sync_account(account)
    clock.advance(timedelta(hours=1))
    cloud.windows.clear()
    report = await engine.sync_account(account)
    assert report.requests == 1 + 2
    assert {end - start for _, start, end in cloud.windows} == {
        timedelta(hours=1) + SyncConfig().overlap
    }


async def test_a_short_window_still_merges_the_first_read_and_walks_back(
    clock: FixedClock,
) -> None:
    cloud = cloud_with_history(clock, days=100)
    config = SyncConfig(backfill_window=timedelta(days=60), stop_after_empty_windows=1)
    book = FakeBook()
    report = await SyncEngine(book.open, clock, config).sync_account(
        AccountSource(1, "owner@example.com", cloud)
    )
    assert report.new == sum(len(items) for items in cloud.sessions.values())
    spans = [(start, end) for cid, start, end in cloud.windows if cid == "101"]
    now = clock.now()
    # The recent days and the first 60 days back are one read; then older windows.
    assert spans[0] == (now - timedelta(days=60), now)
    assert spans[1] == (now - timedelta(days=120), now - timedelta(days=60))
