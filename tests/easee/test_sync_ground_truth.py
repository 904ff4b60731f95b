"""Ground truth: the sync engine over the Easee client against a faulty simulator, crashed
mid-sync, then run until every account reports success: the book holds exactly the
simulator's ended sessions, byte for byte, with exactly the bad ones quarantined.

On the in-memory book (tests/sync/fakes.py `FakeBook`) and on SQLite and PostgreSQL
(`test_book_on_both_databases`), where the accounts are stored brand accounts and their
chargers hang off them as the wiring keeps them.
"""

from __future__ import annotations

from datetime import timedelta

import httpx

from brands.stored_accounts import stored_brand_account  # tests/brands
from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.db.book.store import book_opener
from chargebook.db.book.tables import ChargingSessionRow
from chargebook.domain.book import SessionState
from chargebook.domain.brands import BrandLogin, MemoryTokenKeeper
from chargebook.domain.models import ChargerSource
from chargebook.domain.ports import BookOpener
from chargebook.easee import CONNECTOR, EaseeBudget, EaseeClient
from chargebook.simulator.easee import EaseeSimulator, SimulatorConfig
from chargebook.sync import AccountSource, SyncConfig, SyncEngine
from chargebook.sync.validation import raw_sha256
from sync.fakes import FakeBook  # tests/sync (the tests folder is on sys.path)

SIM_URL = "http://easee.test"
CONFIG = SyncConfig(
    backfill_window=timedelta(days=20),
    max_history=timedelta(days=200),
    stop_after_empty_windows=2,
    batch_size=25,
)


def _simulator(clock: FixedClock) -> EaseeSimulator:
    # The simulator's clock stays put (its sessions do not change under the test); the
    # client's clock is the one the backoffs and the budget's waits advance. Its limits are
    # off (like the Wallbox ground truth's partner mode): a fixed server clock would never
    # let an hour pass; the client's own budget still paces every request.
    config = SimulatorConfig(
        seed=7,
        accounts=2,
        chargers_per_account=2,
        days=75,
        fault_rate=0.2,
        bad_session_rate=0.1,
        short_item_rate=0.3,
        slow_answer_s=0.0,
        unlimited=True,
    )
    return EaseeSimulator(config, clock=FixedClock(clock.now()))


def expected_book(sim: EaseeSimulator) -> tuple[dict[str, str], set[str]]:
    """(external id -> raw sha256, ids that must be quarantined) over every charger."""
    shas: dict[str, str] = {}
    bad: set[str] = set()
    for account in sim.accounts:
        for charger_id in account.charger_ids:
            for planned, item in sim.ended_sessions(charger_id):
                key = f"{charger_id}:{planned.id}"
                shas[key] = raw_sha256(item)
                if planned.bad_kind is not None:
                    bad.add(key)
    return shas, bad


async def _sync_until_complete(
    sim: EaseeSimulator,
    opener: BookOpener,
    clock: FixedClock,
    book: FakeBook | None = None,
    keys: list[int] | None = None,
) -> int:
    """Sync every account until all succeed; the first run crashes at the book's 3rd commit
    (`FakeBook.fail_on_commit`: a kill between two transactions). Returns the retries."""
    transport = httpx.ASGITransport(app=sim.app)
    keepers = {a.email: MemoryTokenKeeper() for a in sim.accounts}
    budgets = {a.email: EaseeBudget(clock, max_wait_s=7200) for a in sim.accounts}
    if book is not None:
        book.fail_on_commit = 3
    retries = crashes = 0
    for _ in range(12):
        clients: list[EaseeClient] = [
            CONNECTOR.open_client(
                BrandLogin(ChargerSource.EASEE_CLOUD, a.email, a.password),
                base_url=SIM_URL,
                transport=transport,
                clock=clock,
                tokens=keepers[a.email],
                budget=budgets[a.email],
            )
            for a in sim.accounts
        ]
        sources = [
            AccountSource(
                keys[index] if keys else index + 1,
                a.email,
                client,
                source=ChargerSource.EASEE_CLOUD,
            )
            for index, (a, client) in enumerate(zip(sim.accounts, clients, strict=True))
        ]
        engine = SyncEngine(opener, clock, CONFIG)
        try:
            # One account after the other (as test_engine's crash test): a crash propagates.
            reports = [await engine.sync_account(source) for source in sources]
        except KeyboardInterrupt:
            crashes += 1
            assert book is not None
            book.fail_on_commit = None
            continue
        finally:
            retries += sum(c.retry_count for c in clients)
            for client in clients:
                await client.aclose()
        if all(r.error is None and r.backfill_complete for r in reports):
            assert crashes == (1 if book is not None else 0)
            return retries
        clock.advance(timedelta(minutes=5))
    raise AssertionError([r.error for r in reports])


async def test_book_equals_the_simulator_with_faults_and_a_crash(clock: FixedClock) -> None:
    sim = _simulator(clock)
    book = FakeBook()
    retries = await _sync_until_complete(sim, book.open, clock, book)

    expected_shas, expected_bad = expected_book(sim)
    assert len(expected_shas) > 150
    assert expected_bad
    assert {k: v.raw_sha256 for k, v in book.state.sessions.items()} == expected_shas
    quarantined = {k for k, v in book.state.sessions.items() if v.state is SessionState.QUARANTINED}
    assert quarantined == expected_bad
    assert retries > 0  # the faults really happened
    # Signed in once per account, and again only where a refresh token expired (a fault).
    expired = sim.faults.injected.get("refresh_expired", 0)
    assert sum(sim.auth.logins.values()) == len(sim.accounts) + expired


async def test_book_on_both_databases(database: Database, clock: FixedClock) -> None:
    sim = _simulator(clock)
    keys = [
        stored_brand_account(database, clock, ChargerSource.EASEE_CLOUD, a.email, a.password)
        for a in sim.accounts
    ]
    await _sync_until_complete(sim, book_opener(database, clock), clock, keys=keys)
    expected_shas, expected_bad = expected_book(sim)
    with database.session() as session:
        rows = session.query(
            ChargingSessionRow.external_id, ChargingSessionRow.raw_sha256, ChargingSessionRow.state
        ).all()
    assert {external_id: sha for external_id, sha, _ in rows} == expected_shas
    assert {external_id for external_id, _, state in rows if state == "quarantined"} == expected_bad
