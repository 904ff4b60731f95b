"""Ground truth: the sync engine, through chargebook's Peblar client, against a faulty Peblar
simulator, killed mid-sync again and again: afterwards the book holds exactly the simulator's
ended meter-log sessions, byte for byte, with exactly the corrupted ones quarantined.

Two books: the in-memory `FakeBook` of the sync tests, and the real database on SQLite and
PostgreSQL, where the charger hangs off a stored Peblar account (`brand_accounts`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select

from brands.stored_accounts import stored_brand_account  # tests/brands
from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.db.book.store import book_opener
from chargebook.db.book.tables import ChargingSessionRow
from chargebook.domain.book import SessionState
from chargebook.domain.brands import BrandLogin, MemoryTokenKeeper
from chargebook.domain.models import ChargerSource
from chargebook.domain.ports import BookOpener
from chargebook.peblar import CONNECTOR, PeblarClient
from chargebook.simulator.peblar import PeblarSimConfig, PeblarSimulator
from chargebook.simulator.peblar.sessions import history_item
from chargebook.sync import AccountSource, SyncConfig, SyncEngine
from chargebook.sync.validation import raw_sha256
from sync.fakes import FakeBook

START = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
CONFIG = SyncConfig(
    backfill_window=timedelta(days=20),
    max_history=timedelta(days=200),
    stop_after_empty_windows=2,
    batch_size=5,
)


def faulty_simulator() -> PeblarSimulator:
    # Its clock stays put, so its log does not change under the test; the client's clock is
    # the one the backoffs advance.
    return PeblarSimulator(
        PeblarSimConfig(
            seed=7, days=90, fault_rate=0.2, bad_session_rate=0.1, fault_methods=("GET",)
        ),
        clock=FixedClock(START),
    )


def expected_book(sim: PeblarSimulator) -> tuple[dict[str, str], set[str]]:
    now = sim.clock.now()
    ended = sim.log.ended(now)
    shas = {f"{sim.hardware.serial}:{s.number}": raw_sha256(history_item(s, now)) for s in ended}
    bad = {f"{sim.hardware.serial}:{s.number}" for s in ended if s.corrupted}
    return shas, bad


def client_for(sim: PeblarSimulator, clock: FixedClock) -> PeblarClient:
    return CONNECTOR.open_client(
        BrandLogin(ChargerSource.PEBLAR_LOCAL, "peblar.test", "demo-password"),
        base_url="http://peblar.test",
        transport=httpx.ASGITransport(app=sim.app),
        clock=clock,
        tokens=MemoryTokenKeeper(),
        budget=CONNECTOR.new_budget(clock),
    )


async def sync_until_complete(
    open_book: BookOpener,
    sim: PeblarSimulator,
    clock: FixedClock,
    account_id: int,
    *,
    crash: FakeBook | None = None,
) -> int:
    """Sync until a run succeeds with the backfill complete; the number of runs."""
    runs = 0
    while True:
        runs += 1
        assert runs < 60, "the sync never completed"
        if crash is not None and runs % 2:
            crash.fail_on_commit = crash.commits + runs % 3
        client = client_for(sim, clock)
        try:
            report = await SyncEngine(open_book, clock, CONFIG).sync_account(
                AccountSource(account_id, "peblar.test", client, source=ChargerSource.PEBLAR_LOCAL)
            )
        except KeyboardInterrupt:  # the simulated crash: nothing uncommitted survives
            continue
        finally:
            await client.aclose()
            if crash is not None:
                crash.fail_on_commit = None
        clock.advance(timedelta(minutes=5))
        if report.error is None and report.backfill_complete:
            return runs


async def test_book_equals_the_meter_log_with_faults_and_crashes() -> None:
    sim = faulty_simulator()
    clock = FixedClock(START)
    book = FakeBook()
    runs = await sync_until_complete(book.open, sim, clock, 1, crash=book)
    expected, bad = expected_book(sim)
    assert len(expected) > 40
    assert bad
    assert {k: v.raw_sha256 for k, v in book.state.sessions.items()} == expected
    quarantined = {k for k, v in book.state.sessions.items() if v.state is SessionState.QUARANTINED}
    assert quarantined == bad
    assert runs > 1  # crashes and faults really happened
    assert sum(sim.gate.faults.injected.values()) > 0


async def test_book_equals_the_meter_log_in_the_database(database: Database) -> None:
    clock = FixedClock(START)
    sim = faulty_simulator()
    account_id = stored_brand_account(
        database, clock, ChargerSource.PEBLAR_LOCAL, "peblar.test", "demo-password"
    )
    await sync_until_complete(book_opener(database, clock), sim, clock, account_id)
    expected, bad = expected_book(sim)
    with database.session() as session:
        rows = session.execute(
            select(
                ChargingSessionRow.external_id,
                ChargingSessionRow.raw_sha256,
                ChargingSessionRow.state,
            )
        ).all()
    assert {r.external_id: r.raw_sha256 for r in rows} == expected
    assert {r.external_id for r in rows if r.state == "quarantined"} == bad


async def test_a_session_running_at_a_sync_is_booked_by_the_next() -> None:
    """No overlap at all between the two syncs: the session that ran across the first sync's
    end is still booked by the second (it started before the second range)."""
    clock = FixedClock(START)
    sim = PeblarSimulator(PeblarSimConfig(seed=3, days=20), clock=clock)
    running = sim.log.started(START)[-1]
    clock.set(running.plugged_at + timedelta(minutes=10))
    config = SyncConfig(
        backfill_window=timedelta(days=30), max_history=timedelta(days=60), overlap=timedelta(0)
    )
    book = FakeBook()
    running_id = f"{sim.hardware.serial}:{running.number}"
    for _ in range(2):
        client = client_for(sim, clock)
        try:
            report = await SyncEngine(book.open, clock, config).sync_account(
                AccountSource(1, "peblar.test", client, source=ChargerSource.PEBLAR_LOCAL)
            )
        finally:
            await client.aclose()
        assert report.error is None
        assert (running_id in book.state.sessions) is (clock.now() >= running.unplugged_at)
        clock.set(running.unplugged_at + timedelta(minutes=1))
    assert running_id in book.state.sessions
    expected, _ = expected_book(sim)
    assert set(book.state.sessions) == set(expected)
