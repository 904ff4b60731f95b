"""The sync engine over the Zaptec client against a faulty Zaptec simulator: after syncing
until every account reports success, the book holds exactly the simulator's ended sessions
(raw payloads byte for byte), with exactly the persistently bad ones quarantined, also when
a run is killed mid-sync.

On the in-memory book (tests/sync/fakes.py) and on the real book (SQLite and PostgreSQL),
where the chargers hang off stored Zaptec accounts (`brand_accounts`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx
from sqlalchemy import select
from zaptec_helpers import SIM_URL, START

from brands.stored_accounts import stored_brand_account  # tests/brands
from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.db.book.store import book_opener
from chargebook.db.book.tables import ChargingSessionRow
from chargebook.domain.brands import BrandLogin, MemoryTokenKeeper
from chargebook.domain.models import ChargerSource
from chargebook.domain.ports import BookOpener
from chargebook.simulator.zaptec import ZaptecSimConfig, ZaptecSimulator
from chargebook.sync import AccountSource, SyncConfig, SyncEngine
from chargebook.sync.validation import raw_sha256
from chargebook.zaptec import CONNECTOR
from sync.fakes import FakeBook  # tests/ is on sys.path (rootdir)

CONFIG = SyncConfig(
    backfill_window=timedelta(days=20),
    max_history=timedelta(days=200),
    stop_after_empty_windows=2,
    batch_size=25,
)


def _simulator() -> ZaptecSimulator:
    # The simulator's clock stays put (its history does not change under the test); the
    # client's clock is the one the budget's pacing and the backoffs advance. A frozen clock
    # never ends a rolling second, so the simulator's rate limit is off here (it is tested
    # on a shared clock in test_zaptec_limits_and_faults.py); the client's budget still paces.
    return ZaptecSimulator(
        ZaptecSimConfig(
            seed=7,
            accounts=2,
            chargers_per_account=4,
            days=75,
            fault_rate=0.2,
            bad_session_rate=0.1,
            variant_rate=0.5,
            requests_per_second=0,
        ),
        clock=FixedClock(START),
    )


def expected(sim: ZaptecSimulator) -> tuple[dict[str, str], set[str]]:
    shas: dict[str, str] = {}
    bad: set[str] = set()
    for account in sim.accounts:
        for charger_id in account.charger_ids:
            for planned, item in zip(
                sim.ended_sessions(charger_id), sim.history_items(charger_id), strict=True
            ):
                shas[planned.id] = raw_sha256(item)
                if planned.bad_kind is not None:
                    bad.add(planned.id)
    return shas, bad


async def sync_until_complete(
    sim: ZaptecSimulator,
    open_book: BookOpener,
    clock: FixedClock,
    account_ids: list[int],
    before_run: Callable[[int], None] = lambda run: None,
) -> int:
    transport = httpx.ASGITransport(app=sim.app)
    keepers = {a.email: MemoryTokenKeeper() for a in sim.accounts}
    budgets = {a.email: CONNECTOR.new_budget(clock) for a in sim.accounts}
    runs = 0
    while True:
        runs += 1
        assert runs < 40, "the sync never completed"
        before_run(runs)
        clients = [
            CONNECTOR.open_client(
                BrandLogin(ChargerSource.ZAPTEC_CLOUD, a.email, a.password),
                base_url=SIM_URL,
                transport=transport,
                clock=clock,
                tokens=keepers[a.email],
                budget=budgets[a.email],
            )
            for a in sim.accounts
        ]
        sources = [
            AccountSource(account_id, a.email, c, source=ChargerSource.ZAPTEC_CLOUD)
            for account_id, a, c in zip(account_ids, sim.accounts, clients, strict=True)
        ]
        engine = SyncEngine(open_book, clock, CONFIG)
        try:
            # One account after the other: a kill (KeyboardInterrupt) inside concurrent tasks
            # would stop the event loop itself rather than this run.
            reports = [await engine.sync_account(source) for source in sources]
        except KeyboardInterrupt:  # the simulated kill: start again, as a restarted process
            continue
        finally:
            for zaptec in clients:
                await zaptec.aclose()
        if all(r.error is None and r.backfill_complete for r in reports):
            # Signed in once per account (tokens kept across runs and retries), plus once
            # for every token the simulator revoked.
            revoked = sim.injected.get("revoked_token", 0)
            assert sum(sim.sign_ins.values()) == len(sim.accounts) + revoked
            return runs
        clock.advance(timedelta(minutes=5))


async def test_book_equals_simulator_with_faults_and_a_kill(clock: FixedClock) -> None:
    sim = _simulator()
    book = FakeBook()

    def kill_the_first_run(run: int) -> None:
        book.fail_on_commit = 2 if run == 1 else None

    runs = await sync_until_complete(sim, book.open, clock, [1, 2], kill_the_first_run)
    shas, bad = expected(sim)
    assert len(shas) > 100
    assert bad
    assert sum(sim.injected.values()) > 10
    assert {k: v.raw_sha256 for k, v in book.state.sessions.items()} == shas
    quarantined = {k for k, v in book.state.sessions.items() if v.state.value == "quarantined"}
    assert quarantined == bad
    assert runs >= 2


async def test_book_equals_simulator_on_the_real_book(
    database: Database, clock: FixedClock
) -> None:
    sim = _simulator()
    ids = [
        stored_brand_account(database, clock, ChargerSource.ZAPTEC_CLOUD, a.email, a.password)
        for a in sim.accounts
    ]
    await sync_until_complete(sim, book_opener(database, clock), clock, ids)
    shas, bad = expected(sim)
    with database.session() as session:
        rows = session.execute(
            select(
                ChargingSessionRow.external_id,
                ChargingSessionRow.raw_sha256,
                ChargingSessionRow.state,
            )
        ).all()
    assert {external_id: sha for external_id, sha, _ in rows} == shas
    assert {external_id for external_id, _, state in rows if state == "quarantined"} == bad
