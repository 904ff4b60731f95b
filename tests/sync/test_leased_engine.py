"""The engine's leases hook (`SyncEngine(..., leases=...)`, as `serve`'s scheduler uses it): an
account is synced only under its lease, and its queued writes are committed before the lease
goes (a backfill taking the lease next reads its cursors)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from chargebook.clock import FixedClock
from chargebook.domain.ports import BookTransaction
from chargebook.serve.scheduler import AccountLeases
from chargebook.sync import AccountSource, SyncConfig, SyncEngine

from .fakes import FakeBook, FakeCloud, make_charger, raw_session

CONFIG = SyncConfig(backfill_window=timedelta(days=30), stop_after_empty_windows=1, batch_size=5)


class _Watched:
    """A transaction that notes, at each commit, whether account 1's lease is held."""

    def __init__(self, tx: BookTransaction, leases: AccountLeases, held: list[bool]) -> None:
        self._tx, self._leases, self._held = tx, leases, held

    def __getattr__(self, name: str) -> object:
        return getattr(self._tx, name)

    def commit(self) -> None:
        free = self._leases.try_acquire(1)
        if free:
            self._leases.release(1)
        self._held.append(not free)
        self._tx.commit()


def _cloud(clock: FixedClock) -> FakeCloud:
    cloud = FakeCloud(chargers=[make_charger("101")])
    cloud.sessions["101"] = [
        raw_session(n, "101", clock.now() - timedelta(days=n, hours=3), 2, 7.0)
        for n in range(1, 40)
    ]
    return cloud


async def test_every_write_of_a_leased_sync_commits_under_its_lease(clock: FixedClock) -> None:
    leases, book = AccountLeases(), FakeBook()
    held: list[bool] = []

    @contextmanager
    def open_book() -> Iterator[BookTransaction]:
        with book.open() as tx:
            yield _Watched(tx, leases, held)  # type: ignore[misc]

    engine = SyncEngine(open_book, clock, CONFIG, leases=leases)
    cloud = _cloud(clock)
    report = await engine.sync_accounts([AccountSource(1, "a@example.com", cloud)])
    assert report.total("new") == 39
    assert len(book.state.sessions) == 39
    assert held
    assert all(held)  # nothing was left queued past the lease

    assert leases.try_acquire(1)  # as a backfill of the account would
    commits = len(held)
    skipped = await engine.sync_accounts([AccountSource(1, "a@example.com", cloud)])
    assert skipped.total("requests") == 0
    assert len(held) == commits  # the leased account was not touched
