"""The sync engine against in-memory fakes: backfill, idempotency, changes, crashes, failures."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from chargebook.clock import FixedClock
from chargebook.domain.book import SessionState
from chargebook.sync import AccountSource, SyncConfig, SyncEngine
from chargebook.sync.validation import raw_sha256

from .fakes import (
    FakeBook,
    FakeCloud,
    FakeCloudError,
    cloud_with_history,
    make_charger,
    raw_session,
)

CONFIG = SyncConfig(
    backfill_window=timedelta(days=20),
    overlap=timedelta(days=2),
    max_history=timedelta(days=400),
    stop_after_empty_windows=0,
    batch_size=7,
)


async def test_full_backfill_then_idempotent_rerun(clock: FixedClock) -> None:
    cloud = cloud_with_history(clock)
    book = FakeBook()
    engine = SyncEngine(book.open, clock, CONFIG)
    account = AccountSource(1, "owner@example.com", cloud)

    first = await engine.sync_account(account)
    expected = {str(raw["id"]): raw for items in cloud.sessions.values() for raw in items}
    assert first.error is None
    assert first.backfill_complete
    assert first.new == len(expected)
    assert {k: v.raw_sha256 for k, v in book.state.sessions.items()} == {
        k: raw_sha256(v) for k, v in expected.items()
    }
    assert first.requests == len(cloud.windows) + 1  # + list_chargers

    windows_before = len(cloud.windows)
    clock.advance(timedelta(hours=6))
    second = await engine.sync_account(account)
    assert second.new == 0
    assert second.changed == 0
    assert len(book.state.sessions) == len(expected)
    # backfill done: only one incremental read per charger
    assert len(cloud.windows) - windows_before == 2
    _, start, end = cloud.windows[-1]
    assert end == clock.now()
    assert start == clock.now() - timedelta(hours=6) - CONFIG.overlap


async def test_duplicated_pages_never_duplicate_sessions(clock: FixedClock) -> None:
    cloud = cloud_with_history(clock)
    cloud.duplicate_every = 3
    book = FakeBook()
    report = await SyncEngine(book.open, clock, CONFIG).sync_account(
        AccountSource(1, "a@example.com", cloud)
    )
    total = sum(len(items) for items in cloud.sessions.values())
    assert report.new == total
    assert report.quarantined == 0
    assert len(book.state.sessions) == total


async def test_bad_records_are_quarantined_with_reasons(clock: FixedClock) -> None:
    cloud = cloud_with_history(clock, days=30)
    good = cloud.sessions["102"]
    start = clock.now() - timedelta(days=3)
    negative = raw_session(9001, "102", start, energy=-1)
    too_much = raw_session(9002, "102", start, hours=1, energy=50)  # 16 A: max 11.04 kWh/h
    missing = raw_session(9003, "102", start)
    del missing["end"]
    no_id = raw_session(9004, "102", start)
    del no_id["id"]
    good.extend([negative, too_much, missing, no_id])

    book = FakeBook()
    report = await SyncEngine(book.open, clock, CONFIG).sync_account(
        AccountSource(1, "a@example.com", cloud)
    )
    assert report.error is None
    assert report.quarantined == 4
    quarantined = {
        k: v.reason for k, v in book.state.sessions.items() if v.state is SessionState.QUARANTINED
    }
    assert quarantined["9001"] is not None
    assert quarantined["9001"].startswith("negative energy")
    assert quarantined["9002"] is not None
    assert "maximum" in quarantined["9002"]
    assert quarantined["9003"] is not None
    assert "end" in quarantined["9003"]
    assert any(k.startswith("missing-id:") for k in quarantined)
    assert len(quarantined) == 4

    again = await SyncEngine(book.open, clock, CONFIG).sync_account(
        AccountSource(1, "a@example.com", cloud)
    )
    assert again.new == 0
    assert again.changed == 0
    assert again.quarantined == 0


async def test_changed_payload_is_audited_not_silently_overwritten(clock: FixedClock) -> None:
    cloud = cloud_with_history(clock, days=10)
    book = FakeBook()
    engine = SyncEngine(book.open, clock, CONFIG)
    account = AccountSource(1, "a@example.com", cloud)
    await engine.sync_account(account)

    latest = cloud.sessions["101"][-1]
    old_raw = dict(latest)
    latest["energy"] = 1.234  # the cloud corrected a session inside the overlap window
    clock.advance(timedelta(hours=1))
    report = await engine.sync_account(account)
    assert report.changed == 1
    assert report.new == 0
    assert book.state.sessions[str(latest["id"])].raw_sha256 == raw_sha256(latest)
    assert book.state.audit == [{"id": str(latest["id"]), "old": old_raw, "new": latest}]


@pytest.mark.parametrize("group_rows", [1, 10], ids=["commit-each-write", "grouped-writes"])
async def test_crash_at_every_commit_then_resume_matches_the_cloud(
    clock: FixedClock, group_rows: int
) -> None:
    config = dataclasses.replace(CONFIG, write_group_rows=group_rows)
    cloud = cloud_with_history(clock, days=90)
    expected = {
        str(raw["id"]): raw_sha256(raw) for items in cloud.sessions.values() for raw in items
    }
    book = FakeBook()
    crashes = 0
    for crash_at in range(1, 400, 3):
        book.fail_on_commit = book.commits + crash_at % 5
        try:
            await SyncEngine(book.open, clock, config).sync_account(
                AccountSource(1, "a@example.com", cloud)
            )
        except KeyboardInterrupt:
            crashes += 1
            continue
        finally:
            book.fail_on_commit = None
        break
    assert crashes > 5
    final = await SyncEngine(book.open, clock, CONFIG).sync_account(
        AccountSource(1, "a@example.com", cloud)
    )
    assert final.backfill_complete
    assert {k: v.raw_sha256 for k, v in book.state.sessions.items()} == expected


@pytest.mark.parametrize("retryable", [True, False], ids=["retryable", "permanent"])
async def test_a_failing_account_is_recorded_and_others_still_sync(
    clock: FixedClock, retryable: bool
) -> None:
    broken = cloud_with_history(clock, days=60)
    broken.fail_after = 2
    broken.fail_retryable = retryable
    healthy = cloud_with_history(clock, days=60, seed=9)
    healthy.chargers = [make_charger("201")]
    healthy.sessions = {"201": [raw_session(5000, "201", clock.now() - timedelta(days=4))]}
    locked_out = FakeCloud(
        chargers=[], fail_listing=FakeCloudError("wrong e-mail or password", retryable=False)
    )
    book = FakeBook()
    engine = SyncEngine(book.open, clock, CONFIG)
    report = await engine.sync_accounts(
        [
            AccountSource(1, "broken@example.com", broken),
            AccountSource(2, "healthy@example.com", healthy),
            AccountSource(3, "locked@example.com", locked_out),
        ]
    )
    by_id = {a.account_id: a for a in report.accounts}
    assert by_id[1].error == "history unavailable"
    assert by_id[1].error_retryable is retryable
    assert by_id[2].error is None
    assert by_id[2].new == 1
    assert by_id[3].error == "wrong e-mail or password"
    assert not by_id[3].error_retryable
    assert book.state.outcomes[1][1] == "history unavailable"
    assert book.state.outcomes[2][1] is None
    failed_state = book.state.sync["101"]
    assert failed_state.last_error == "history unavailable"
    assert failed_state.consecutive_failures == 1
    assert {a.account_id for a in report.failed} == {1, 3}

    # the next run resumes the broken account's backfill where it stopped
    broken.fail_after = None
    again = await engine.sync_account(AccountSource(1, "broken@example.com", broken))
    assert again.error is None
    assert again.backfill_complete
    expected = {str(r["id"]) for items in broken.sessions.values() for r in items}
    assert expected <= set(book.state.sessions)
    assert book.state.sync["101"].consecutive_failures == 0
