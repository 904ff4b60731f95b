"""When another process takes a charger over it may write that charger's transactions, so
the writer's open-transaction cache (which assumes one writer) is dropped before its next
batch (`BookWriter.forget_open_transactions`, called by the cluster node on a takeover)."""

from __future__ import annotations

from chargebook.central_system.writer import BookWriter
from chargebook.clock import FixedClock
from chargebook.db import Database

from ..helpers import CP_ID, register


async def test_a_takeover_elsewhere_empties_the_cache_before_the_next_batch(
    database: Database, clock: FixedClock
) -> None:
    register(database, clock, CP_ID)
    writer = BookWriter(database, clock)
    started_at = clock.now()
    tx = await writer.run(
        lambda book: book.start_transaction(
            CP_ID,
            connector_id=1,
            id_tag="T",
            meter_start_wh=1000,
            started_at=started_at,
            frame='[2,"1","StartTransaction",{}]',
        )
    )
    assert writer._open_transactions.get(tx) is not None  # cached: MeterValues read nothing
    await writer.run(lambda book: None)
    assert len(writer._open_transactions) == 1  # kept across batches while nobody else writes
    writer.forget_open_transactions()
    await writer.run(lambda book: None)
    assert len(writer._open_transactions) == 0
    await writer.stop()
