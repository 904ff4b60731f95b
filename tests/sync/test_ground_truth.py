"""In-process: the whole stack (CLI composition, client, engine, book) against a faulty simulator.

20 % of data requests fail in every way the simulator knows (5xx, dropped and truncated
bodies, broken envelopes, overlapping pages, revoked refresh tokens) and 10 % of sessions are
persistently bad. After syncing until every account reports success, the book holds exactly
the simulator's ended sessions, byte for byte, with exactly the bad ones quarantined.
"""

from __future__ import annotations

from datetime import timedelta

import httpx

from chargebook.account_sources import build_sources, close_sources, connect_account
from chargebook.clock import FixedClock
from chargebook.crypto import load_secret_box
from chargebook.db import Database
from chargebook.db.book.store import book_opener
from chargebook.settings import Settings
from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator
from chargebook.sync import SyncConfig, SyncEngine

from .ground_truth import actual_book, expected_book

SIM_URL = "http://wallbox.test"


async def test_sync_with_faults_matches_the_simulator_exactly(
    database: Database, clock: FixedClock
) -> None:
    # The simulator's clock stays put (its sessions do not change under the test); the
    # client's clock is the one the backoffs advance.
    sim = WallboxSimulator(
        SimulatorConfig(
            seed=11,
            accounts=2,
            chargers_per_account=2,
            days=75,
            fault_rate=0.2,
            partner_mode=True,
            bad_session_rate=0.1,
            slow_answer_s=0.0,
            variant_rate=1.0,  # every groups list in a real recording's shape (variants.py)
        ),
        clock=FixedClock(clock.now()),
    )
    settings = Settings(
        wallbox_api_url=SIM_URL, wallbox_auth_url=SIM_URL, wallbox_partner_mode=True
    )
    box = load_secret_box(settings)
    transport = httpx.ASGITransport(app=sim.app)
    for account in sim.accounts:
        await connect_account(
            settings,
            database,
            box,
            clock,
            email=account.email,
            password=account.password,
            transport=transport,
        )
    config = SyncConfig(
        backfill_window=timedelta(days=20),
        max_history=timedelta(days=200),
        stop_after_empty_windows=2,
        batch_size=25,
    )
    runs = 0
    while True:
        runs += 1
        sources = build_sources(settings, database, box, clock, transport=transport)
        try:
            report = await SyncEngine(book_opener(database, clock), clock, config).sync_accounts(
                sources
            )
        finally:
            await close_sources(sources)
        if not report.failed and all(a.backfill_complete for a in report.accounts):
            break
        assert runs < 10, [a.error for a in report.failed]
        clock.advance(timedelta(minutes=5))

    expected_shas, expected_bad = expected_book(sim)
    actual_shas, actual_bad = actual_book(database)
    assert len(expected_shas) > 150
    assert expected_bad
    assert actual_shas == expected_shas
    assert actual_bad == expected_bad
    assert report.total("retries") > 0  # the faults really happened
