"""The book writer thread and the engine's page pipeline: order, errors, cursors, cancellation."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest

from chargebook.clock import FixedClock
from chargebook.domain.models import SessionRecord
from chargebook.domain.ports import BookTransaction
from chargebook.errors import ChargebookError
from chargebook.sync import AccountSource, SyncConfig, SyncEngine
from chargebook.sync.book_writer import BookWriter
from chargebook.sync.validation import raw_sha256

from .fakes import FakeBook, FakeCloud, make_charger, raw_session
from .test_engine import cloud_with_history

CONFIG = SyncConfig(
    backfill_window=timedelta(days=20),
    overlap=timedelta(days=2),
    max_history=timedelta(days=400),
    stop_after_empty_windows=0,
    batch_size=7,
    write_on_thread=True,
)


class BookFailure(ChargebookError):
    """A write the (fake) database refused."""


class HookedBook(FakeBook):
    """A FakeBook whose transactions call `on_commit(state before swap)` and may fail/stall."""

    def __init__(self) -> None:
        super().__init__()
        self.fail_upsert_at: int | None = None  # the n-th apply_upsert raises BookFailure
        self.upserts = 0
        self.commit_gate: threading.Event | None = None  # commits wait for it when set
        self.checks: list[str] = []
        self.lock = threading.Lock()

    @contextmanager
    def open(self) -> Iterator[BookTransaction]:
        with super().open() as tx:
            yield _HookedTx(self, tx)


class _HookedTx:
    def __init__(self, book: HookedBook, tx: Any) -> None:
        self._book, self._tx = book, tx
        self._upserted = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)

    def apply_upsert(self, plan: Any) -> None:
        with self._book.lock:
            self._book.upserts += 1
            failing = self._book.upserts == self._book.fail_upsert_at
        if failing:
            raise BookFailure("disk full")
        self._tx.apply_upsert(plan)
        self._upserted = True

    def commit(self) -> None:
        gate = self._book.commit_gate
        if gate is not None and self._upserted:  # only pages of sessions wait
            assert gate.wait(timeout=10), "the test never opened the commit gate"
        time.sleep(0.0005)  # let the event loop run meanwhile, as a real commit does
        self._tx.commit()
        self._book.checks.extend(_cursor_violations(self._book))


def _cursor_violations(book: FakeBook) -> list[str]:
    """Cursors that claim sessions the book does not hold: each committed cursor promises
    everything that started in [backfill_cursor, synced_until) is in the book."""
    cloud: FakeCloud | None = getattr(book, "cloud", None)
    if cloud is None:
        return []
    problems = []
    for charger_id, state in book.state.sync.items():
        low, high = state.backfill_cursor, state.synced_until
        assert low is not None
        assert high is not None
        for raw in cloud.sessions.get(charger_id, []):
            start = datetime.fromtimestamp(raw["start"], tz=low.tzinfo)
            if low <= start < high and str(raw["id"]) not in book.state.sessions:
                problems.append(f"cursor of {charger_id} covers missing session {raw['id']}")
    return problems


def _expected(cloud: FakeCloud) -> dict[str, str]:
    return {str(raw["id"]): raw_sha256(raw) for items in cloud.sessions.values() for raw in items}


async def test_pages_are_written_in_order_and_cursors_only_after_their_pages(
    clock: FixedClock,
) -> None:
    cloud = cloud_with_history(clock, days=200)
    book = HookedBook()
    book.cloud = cloud  # type: ignore[attr-defined]
    report = await SyncEngine(book.open, clock, CONFIG).sync_account(
        AccountSource(1, "a@example.com", cloud)
    )
    assert report.error is None
    assert report.new == len(_expected(cloud))
    assert {k: v.raw_sha256 for k, v in book.state.sessions.items()} == _expected(cloud)
    assert book.checks == []  # checked at every commit, on the writer thread


async def test_a_failing_write_propagates_and_a_rerun_loses_nothing(clock: FixedClock) -> None:
    cloud = cloud_with_history(clock, days=200)
    book = HookedBook()
    book.cloud = cloud  # type: ignore[attr-defined]
    book.fail_upsert_at = 9
    engine = SyncEngine(book.open, clock, CONFIG)
    account = AccountSource(1, "a@example.com", cloud)

    failed = await engine.sync_account(account)
    assert failed.error == "disk full"
    assert 0 < len(book.state.sessions) < len(_expected(cloud))
    # The report counts exactly the pages that were committed.
    assert failed.new == len(book.state.sessions)
    assert book.checks == []
    assert book.state.outcomes[1][1] == "disk full"

    again = await engine.sync_account(account)
    assert again.error is None
    assert again.backfill_complete
    assert {k: v.raw_sha256 for k, v in book.state.sessions.items()} == _expected(cloud)
    assert book.checks == []


class PagedCloud(FakeCloud):
    """Counts the records handed out, so a test sees how far the engine read ahead."""

    yielded = 0

    async def iter_sessions(
        self, charger_id: str, *, start: datetime, end: datetime
    ) -> AsyncIterator[SessionRecord]:
        async for record in super().iter_sessions(charger_id, start=start, end=end):
            self.yielded += 1
            yield record


async def _wait_for(condition: Any, timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.005)


async def test_one_page_in_flight_while_the_next_is_checked_then_cancel_waits(
    clock: FixedClock,
) -> None:
    charger = make_charger("101")
    cloud = PagedCloud(chargers=[charger])
    start = clock.now() - timedelta(days=10)
    cloud.sessions["101"] = [raw_session(n, "101", start + timedelta(hours=n)) for n in range(50)]
    book = HookedBook()
    engine = SyncEngine(
        book.open,
        clock,
        SyncConfig(batch_size=10, stop_after_empty_windows=1, write_on_thread=True),
    )
    gate = threading.Event()
    book.commit_gate = gate
    task = asyncio.create_task(engine.sync_account(AccountSource(1, "a@example.com", cloud)))
    await _wait_for(lambda: book.upserts >= 1)  # page 1 written, its commit waits
    await asyncio.sleep(0.05)
    # Page 2 was read and checked meanwhile (the overlap); page 3 waits for page 1's commit.
    assert book.upserts == 1
    assert 20 <= cloud.yielded <= 21

    task.cancel()
    await asyncio.sleep(0.05)
    assert not task.done()  # the cancelled sync waits for the page being written
    gate.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(book.state.sessions) == 10  # page 1 committed, page 2 never started
    # The backfill cursor never moved over the window whose pages did not all commit.
    assert book.state.sync["101"].backfill_cursor == clock.now()


async def test_works_queued_together_share_a_commit_and_a_failing_one_only_fails_itself() -> None:
    book = FakeBook()
    gate, started = threading.Event(), threading.Event()
    seen: list[str] = []

    def blocker(tx: BookTransaction) -> str:
        started.set()
        gate.wait(timeout=10)
        return "first"

    def note(name: str, fail: bool = False) -> Any:
        def work(tx: BookTransaction) -> str:
            seen.append(name)
            tx.upsert_chargers(1, [make_charger(name)])
            if fail:
                raise BookFailure(f"{name} refused")
            return name

        return work

    with BookWriter(book.open) as writer:
        first = writer.submit(blocker)
        assert started.wait(timeout=10)  # running alone; the next three queue behind it
        queued = [writer.submit(note("a")), writer.submit(note("b", fail=True))]
        queued.append(writer.submit(note("c")))
        commits_before = book.commits
        gate.set()
        assert await first.result() == "first"
        assert await queued[0].result() == "a"
        with pytest.raises(BookFailure, match="b refused"):
            await queued[1].result()
        assert await queued[2].result() == "c"
    # a, b, c shared a transaction that failed on b and rolled back; then each ran alone.
    assert seen == ["a", "b", "a", "b", "c"]
    assert set(book.state.chargers) == {"a", "c"}
    assert book.commits - commits_before == 3  # blocker, a, c


async def test_closing_drops_queued_works_and_waits_for_the_running_one() -> None:
    book = FakeBook()
    gate, started = threading.Event(), threading.Event()

    def slow(tx: BookTransaction) -> int:
        started.set()
        gate.wait(timeout=10)
        tx.upsert_chargers(1, [make_charger("slow")])
        return 1

    writer = BookWriter(book.open)
    running = writer.submit(slow)
    assert started.wait(timeout=10)
    queued = writer.submit(lambda tx: tx.upsert_chargers(1, [make_charger("never")]))
    threading.Timer(0.05, gate.set).start()
    writer.close()  # returns only after `slow` committed
    assert running.done()
    assert await running.result() == 1
    assert queued.done()
    assert set(book.state.chargers) == {"slow"}
    with pytest.raises(RuntimeError):
        writer.submit(lambda tx: None)
