"""An upstream outage mid-transaction of an OCPP 2.0.1 station: the station is never cut off,
chargebook answers while the upstream is away, the book gets the whole session, and the
upstream gets the queued TransactionEvents in order once it is back, marked `offline` (they
happened while the station was offline for it) with the station's own seqNo."""

from __future__ import annotations

from ocpp.v201 import call

from chargebook.central_system import CentralSystem
from chargebook.clock import FixedClock
from chargebook.db import Database, SessionRepository
from chargebook.domain.ocpp_upstream import UpstreamMode

from ..helpers import CP_ID
from .conftest import MirroredCentral, wait_linked
from .station201 import session_times, station201
from .upstream import eventually
from .upstream201 import UPSTREAM_INTERVAL_S, Upstream201


async def _wait_down(central: CentralSystem) -> None:
    assert central.mirrors is not None
    link = central.mirrors.link(CP_ID)
    assert link is not None
    await eventually(lambda: link.known_down)


async def test_an_outage_mid_transaction_queues_in_order_and_never_cuts_the_station_off(
    mirrored_central201: MirroredCentral,
    upstream201: Upstream201,
    database: Database,
    clock: FixedClock,
) -> None:
    central = await mirrored_central201(UpstreamMode.UPSTREAM_PRIMARY)
    start, middle, end = session_times(clock.now())
    async with station201(central) as cp:
        await wait_linked(central)
        assert (await cp.boot()).interval == UPSTREAM_INTERVAL_S
        await cp.event("Started", 0, start, 1000)

        await upstream201.stop()  # the owner's backend goes away mid-transaction
        await _wait_down(central)
        assert (await cp.call(call.Heartbeat())).current_time  # chargebook answers at once
        await cp.event("Updated", 1, middle, 3000)
        await cp.status(end, "Available")
        await cp.event("Ended", 2, end, 6000)
        with database.session() as session:
            [book] = SessionRepository(session).list()
        assert (book.meter_start_wh, book.meter_stop_wh) == (1000, 6000)

        await upstream201.start(upstream201.port)  # back on the same address
        await upstream201.wait_for("TransactionEvent", 3, within_s=10)
        assert cp._connection.state.name == "OPEN"  # never disconnected
    # In order; the heartbeat was not kept.
    assert upstream201.actions() == [
        "BootNotification",
        "TransactionEvent",
        "TransactionEvent",
        "StatusNotification",
        "TransactionEvent",
    ]
    events = upstream201.payloads("TransactionEvent")
    assert [(e["event_type"], e["seq_no"], e.get("offline")) for e in events] == [
        ("Started", 0, None),
        ("Updated", 1, True),
        ("Ended", 2, True),
    ]
