"""OCPP 2.0.1 upstream primary against a real `ocpp`-library 2.0.1 upstream: the station's
traffic reaches the upstream in the station's own version, the upstream answers and commands
it, chargebook records the session and may only read."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from ocpp.v201 import call

from chargebook.central_system import CentralSystem, CommandRejectedError
from chargebook.clock import FixedClock
from chargebook.db import Database, SessionRepository
from chargebook.domain.ocpp_upstream import UpstreamMode

from ..helpers import CP_ID
from .charger import charger
from .conftest import MirroredCentral, wait_linked
from .station201 import TX, session_times, station201
from .upstream import Upstream, eventually
from .upstream201 import UPSTREAM_INTERVAL_S, Upstream201


async def test_the_station_reports_to_both_and_the_upstream_answers(
    mirrored_central201: MirroredCentral,
    upstream201: Upstream201,
    database: Database,
    clock: FixedClock,
) -> None:
    central = await mirrored_central201(UpstreamMode.UPSTREAM_PRIMARY)
    start, middle, end = session_times(clock.now())
    async with station201(central) as cp:
        await wait_linked(central)
        boot = await cp.boot()
        assert boot.interval == UPSTREAM_INTERVAL_S  # the upstream's answer, not chargebook's
        await cp.status(start)
        await cp.event("Started", 0, start, 1000)
        await cp.event("Updated", 1, middle, 4000)
        await cp.event("Ended", 2, end, 9000)
        await upstream201.wait_for("TransactionEvent", 3)
    assert upstream201.subprotocols == ["ocpp2.0.1"]
    assert upstream201.actions() == [
        "BootNotification",
        "StatusNotification",
        "TransactionEvent",
        "TransactionEvent",
        "TransactionEvent",
    ]
    events = upstream201.payloads("TransactionEvent")
    # The station's own transaction id and sequence numbers, unchanged (2.0.1: no mapping).
    assert [e["transaction_info"]["transaction_id"] for e in events] == [TX] * 3
    assert [e["seq_no"] for e in events] == [0, 1, 2]
    assert not any(e.get("offline") for e in events)
    with database.session() as session:
        [book] = SessionRepository(session).list()
    assert (book.meter_start_wh, book.meter_stop_wh) == (1000, 9000)


async def test_upstream_commands_reach_the_station_and_chargebook_only_reads(
    mirrored_central201: MirroredCentral, upstream201: Upstream201
) -> None:
    central = await mirrored_central201(UpstreamMode.UPSTREAM_PRIMARY)
    async with station201(central) as cp:
        await wait_linked(central)
        await cp.boot()
        side = await upstream201.wait_connected(CP_ID)
        started = await side.call(
            call.RequestStartTransaction(id_token={"id_token": "TAG-1", "type": "Central"},
                                         remote_start_id=42)
        )  # fmt: skip
        assert started.status == "Accepted"
        # The upstream owns the configuration: chargebook's SetVariables and its current
        # limit would fight it; a read passes.
        with pytest.raises(CommandRejectedError, match="configuration conflict"):
            await central.set_variables(CP_ID, {("SampledDataCtrlr", "TxUpdatedInterval"): "15"})
        with pytest.raises(CommandRejectedError, match="may not send SetChargingProfile"):
            await central.set_current(CP_ID, 10)
        values = await central.get_variables(CP_ID, [("SampledDataCtrlr", "TxUpdatedInterval")])
        assert values
    assert [name for name, _ in cp.commands] == ["RequestStartTransaction", "GetVariables"]
    assert cp.commands[0][1]["remote_start_id"] == 42


async def test_an_upstream_that_does_not_speak_2_0_1_is_named_and_the_station_served(
    mirrored_central: MirroredCentral,
    upstream: Upstream,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The 1.6-only upstream refuses the ocpp2.0.1 handshake (HTTP 400). The charge point
    spoke 1.6 to it a moment ago (a firmware update to 2.0.1): its link is not reused."""
    caplog.set_level(logging.ERROR, "chargebook.central_system.mirror")
    central: CentralSystem = await mirrored_central(UpstreamMode.UPSTREAM_PRIMARY)
    assert central.mirrors is not None
    async with charger(central) as old:
        await wait_linked(central)
        await old.boot()
    async with station201(central) as cp:
        await eventually(lambda: _link(central) is not None and _link(central).version == "2.0.1")
        link = _link(central)
        await eventually(lambda: link.problem is not None and link.known_down)
        boot = await cp.boot()  # chargebook answers at once
        assert boot.status == "Accepted"
        assert boot.interval != UPSTREAM_INTERVAL_S
        assert cp._connection.state.name == "OPEN"
    assert "does not speak ocpp2.0.1" in (link.problem or "")
    assert "does not speak ocpp2.0.1" in caplog.text
    assert upstream.actions() == ["BootNotification"]  # the 1.6 one only
    assert upstream.subprotocols == ["ocpp1.6"]


def _link(central: CentralSystem) -> Any:
    assert central.mirrors is not None
    return central.mirrors.link(CP_ID)
