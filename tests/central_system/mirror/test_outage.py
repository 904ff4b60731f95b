"""An upstream outage mid-session: the charger is never cut off, chargebook answers it while
the upstream is away, the book gets the whole session, and the upstream gets the queued
messages once it is back."""

from __future__ import annotations

from ocpp.v16 import call

from chargebook.central_system import CentralSystem
from chargebook.db import Database, SessionRepository
from chargebook.domain.ocpp_upstream import UpstreamMode

from .charger import charger
from .conftest import MirroredCentral, wait_linked
from .upstream import Upstream, eventually


async def _wait_down(central: CentralSystem) -> None:
    assert central.mirrors is not None
    link = central.mirrors.link("CP-1")
    assert link is not None
    await eventually(lambda: link.known_down)


async def test_an_outage_mid_session_does_not_cut_the_charger_off(
    mirrored_central: MirroredCentral, upstream: Upstream, database: Database
) -> None:
    central = await mirrored_central(UpstreamMode.UPSTREAM_PRIMARY)
    async with charger(central) as cp:
        await wait_linked(central)
        await cp.boot()
        start = await cp.start_tx(meter_start=1000)
        assert start.transaction_id == 1000  # the upstream's

        await upstream.stop()  # the owner's backend goes away mid-session
        await _wait_down(central)
        heartbeat = await cp.call(call.Heartbeat())  # chargebook answers at once
        assert heartbeat.current_time
        await cp.meter(1000, 2000, "2026-03-10T18:30:00Z")
        stop = await cp.stop_tx(1000, meter_stop=4000)
        assert stop.id_tag_info["status"] == "Accepted"
        with database.session() as session:
            [book] = SessionRepository(session).list()
        assert (book.meter_start_wh, book.meter_stop_wh) == (1000, 4000)

        await upstream.start(upstream.port)  # back on the same address
        await upstream.wait_for("StopTransaction", within_s=10)
        assert cp._connection.state.name == "OPEN"  # never disconnected
    # Queued in order, under the upstream's own transaction id; the heartbeat was not kept.
    assert upstream.actions() == [
        "BootNotification",
        "StartTransaction",
        "MeterValues",
        "StopTransaction",
    ]
    assert upstream.payloads("StopTransaction")[0]["transaction_id"] == 1000


async def test_a_session_started_while_the_upstream_is_down_reaches_it_later(
    mirrored_central: MirroredCentral, upstream: Upstream, database: Database
) -> None:
    central = await mirrored_central(UpstreamMode.UPSTREAM_PRIMARY)
    async with charger(central) as cp:
        await wait_linked(central)
        await cp.boot()
        await upstream.stop()
        await _wait_down(central)
        start = await cp.start_tx(meter_start=500)  # chargebook answers with the book's id
        await cp.stop_tx(start.transaction_id, meter_stop=900)
        await upstream.start(upstream.port)
        await upstream.wait_for("StopTransaction", within_s=10)
    with database.session() as session:
        [book] = SessionRepository(session).list()
    assert book.external_id == f"CP-1:{start.transaction_id}"
    # The upstream opened its own transaction for the replayed start and hears of its stop
    # under that id, not under chargebook's.
    assert upstream.payloads("StopTransaction")[0]["transaction_id"] == 1000
    assert start.transaction_id != 1000


async def test_a_restart_of_chargebook_mid_session_keeps_the_id_mapping(
    mirrored_central: MirroredCentral, upstream: Upstream, database: Database
) -> None:
    first = await mirrored_central(UpstreamMode.UPSTREAM_PRIMARY)
    async with charger(first) as cp:
        await wait_linked(first)
        start = await cp.start_tx(meter_start=700)
        assert start.transaction_id == 1000  # the upstream's; the book has its own
    await first.close()  # chargebook restarts; the charger carries on with 1000
    second = await mirrored_central(UpstreamMode.UPSTREAM_PRIMARY)
    async with charger(second) as cp:
        await wait_linked(second)
        await cp.stop_tx(1000, meter_stop=1900)
        await upstream.wait_for("StopTransaction")
    with database.session() as session:
        [book] = SessionRepository(session).list()
    assert (book.meter_start_wh, book.meter_stop_wh) == (700, 1900)
    assert book.external_id != "CP-1:1000"
    assert upstream.payloads("StopTransaction")[0]["transaction_id"] == 1000
