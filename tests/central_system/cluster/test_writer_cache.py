"""When another process takes a charger over it may write that charger's transactions, so
the writer's open-transaction cache (which assumes one writer) drops them before its next
batch (`BookWriter.forget_open_transactions`, called by the cluster node on a takeover); the
other chargers' stay cached, and after an outage (None) all go."""

from __future__ import annotations

from chargebook.central_system.writer import BookWriter
from chargebook.clock import FixedClock
from chargebook.db import Database

from ..helpers import CP_ID, register

OTHER_CP = "CP-OTHER"


async def _start(writer: BookWriter, clock: FixedClock, charge_point_id: str) -> int:
    started_at = clock.now()
    tx: int = await writer.run(
        lambda book: book.start_transaction(
            charge_point_id,
            connector_id=1,
            id_tag="T",
            meter_start_wh=1000,
            started_at=started_at,
            frame='[2,"1","StartTransaction",{}]',
        )
    )
    return tx


async def test_a_takeover_elsewhere_drops_that_chargers_transactions_before_the_next_batch(
    database: Database, clock: FixedClock
) -> None:
    register(database, clock, CP_ID)
    register(database, clock, OTHER_CP)
    writer = BookWriter(database, clock)
    taken = await _start(writer, clock, CP_ID)
    kept = await _start(writer, clock, OTHER_CP)
    assert writer._open_transactions.get(taken) is not None  # cached: MeterValues read nothing
    await writer.run(lambda book: None)
    assert len(writer._open_transactions) == 2  # kept across batches while nobody else writes
    writer.forget_open_transactions(CP_ID)
    writer.forget_open_transactions("NEVER-SEEN-HERE")  # nothing of it cached: nothing to do
    await writer.run(lambda book: None)
    assert writer._open_transactions.get(taken) is None
    assert writer._open_transactions.get(kept) is not None
    writer.forget_open_transactions()  # back from an outage: nothing cached is trusted
    await writer.run(lambda book: None)
    assert len(writer._open_transactions) == 0
    await writer.stop()
