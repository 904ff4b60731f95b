"""Writes of many accounts committed together (`WriteGroup`): the same book as one commit per
write in far fewer commits, a failing account's writes lost alone and redone by the next run,
and no write waiting longer than the group's delay."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

import pytest

from chargebook.clock import FixedClock
from chargebook.domain.book import SyncState
from chargebook.domain.models import ChargerSource
from chargebook.domain.ports import BookTransaction
from chargebook.errors import ChargebookError
from chargebook.sync import AccountSource, SyncConfig, SyncEngine
from chargebook.sync.validation import raw_sha256
from chargebook.sync.write_group import WriteGroup

from .fakes import FakeBook, FakeCloud, cloud_with_history, make_charger

CONFIG = SyncConfig(
    backfill_window=timedelta(days=20),
    overlap=timedelta(days=2),
    max_history=timedelta(days=200),
    stop_after_empty_windows=0,
    batch_size=7,
)


class BookDown(ChargebookError):
    retryable = True


def account_cloud(clock: FixedClock, account: int) -> FakeCloud:
    """Two chargers (`<account>01`, `<account>02`) with about 0.7 sessions a day for 150 days."""
    chargers = [make_charger(f"{account}01"), make_charger(f"{account}02")]
    return cloud_with_history(clock, 150, account, chargers, first_id=account * 100_000)


def sources(clouds: dict[int, FakeCloud]) -> list[AccountSource]:
    return [AccountSource(n, f"owner{n}@example.com", cloud) for n, cloud in clouds.items()]


def expected(cloud: FakeCloud) -> dict[str, str]:
    return {str(raw["id"]): raw_sha256(raw) for items in cloud.sessions.values() for raw in items}


async def test_grouped_writes_store_what_one_commit_per_write_stores(clock: FixedClock) -> None:
    books, reports = {}, {}
    for rows in (1, 5000):
        clouds = {n: account_cloud(clock, n) for n in (1, 2, 3)}
        book = FakeBook()
        config = dataclasses.replace(CONFIG, write_group_rows=rows)
        reports[rows] = await SyncEngine(book.open, clock, config).sync_accounts(sources(clouds))
        books[rows] = book
    one, grouped = books[1], books[5000]
    assert grouped.state.sessions == one.state.sessions
    assert grouped.state.sync == one.state.sync
    assert grouped.state.outcomes == one.state.outcomes
    for name in ("new", "changed", "unchanged", "quarantined", "requests"):
        assert reports[5000].total(name) == reports[1].total(name), name
    assert reports[5000].total("new") == sum(len(expected(c)) for c in clouds.values())
    # one commit per account for its chargers, one for all their pages and cursors
    assert grouped.commits == 3 + 1
    assert one.commits > 100


async def test_a_failing_account_loses_only_its_own_writes_and_resumes(clock: FixedClock) -> None:
    clouds = {n: account_cloud(clock, n) for n in (1, 2, 3)}
    book = FakeBook()
    book.failing_charger = ("201", BookDown("the book is busy"))
    engine = SyncEngine(book.open, clock, dataclasses.replace(CONFIG, write_group_rows=20))
    report = await engine.sync_accounts(sources(clouds))

    by_id = {a.account_id: a for a in report.accounts}
    assert by_id[2].error == "the book is busy"
    assert by_id[2].error_retryable
    assert book.state.outcomes[2][1] == "the book is busy"
    for healthy in (1, 3):
        assert by_id[healthy].error is None
        stored = {k: v.raw_sha256 for k, v in book.state.sessions.items()}
        assert expected(clouds[healthy]).items() <= stored.items()
    # account 2 stopped reading once its writes failed, and no cursor of charger 201 moved
    assert len(clouds[2].windows) < len(clouds[1].windows)
    initial = book.state.sync["201"]
    assert initial.backfill_cursor == initial.synced_until == clock.now()
    assert _stored_for(book, "201") == []

    book.failing_charger = None
    again = await engine.sync_account(sources({2: clouds[2]})[0])
    assert again.error is None
    assert again.backfill_complete
    stored = {k: v.raw_sha256 for k, v in book.state.sessions.items()}
    assert expected(clouds[2]).items() <= stored.items()
    assert len(stored) == sum(len(expected(c)) for c in clouds.values())


def _stored_for(book: FakeBook, charger: str) -> list[str]:
    return [k for k, v in book.state.sessions.items() if v.charger_external_id == charger]


def _save(charger: str) -> SyncState:
    return SyncState(charger_external_id=charger, sessions_found=1)


async def test_a_queued_write_is_committed_within_the_delay() -> None:
    book = FakeBook()
    writes = WriteGroup(book.open, max_rows=1000, max_delay_s=0.05)

    def save(tx: BookTransaction) -> None:
        tx.save_sync_state(ChargerSource.WALLBOX_CLOUD, _save("101"))

    writes.add(1, save)
    assert book.commits == 0  # queued: the group is far from full
    await asyncio.sleep(0.3)  # the event loop is idle, as while a slow cloud answers
    assert book.commits == 1
    assert "101" in book.state.sync


def test_writes_after_a_failure_are_dropped_and_the_error_kept() -> None:
    book = FakeBook()
    writes = WriteGroup(book.open, max_rows=1000, max_delay_s=60)
    error = BookDown("disk full")

    def fails(tx: BookTransaction) -> None:
        raise error

    def save(charger: str) -> None:
        writes.add(
            int(charger[0]),
            lambda tx: tx.save_sync_state(ChargerSource.WALLBOX_CLOUD, _save(charger)),
        )

    save("101")
    writes.add(1, fails)
    save("201")
    writes.flush()
    assert set(book.state.sync) == {"201"}  # account 2 committed on its own
    assert writes.failure(1) is error
    save("102")  # after its failure, an account's writes would cover lost ones: dropped
    writes.flush()
    assert set(book.state.sync) == {"201"}
    with pytest.raises(BookDown, match="disk full"):
        writes.check(1)
    writes.check(2)
