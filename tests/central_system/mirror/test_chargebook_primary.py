"""chargebook primary against a real upstream: chargebook answers and commands; the upstream
hears everything under its own transaction ids and may start, stop and read, but not
reconfigure what the book depends on or reset the charger."""

from __future__ import annotations

import pytest
from ocpp.exceptions import SecurityError
from ocpp.v16 import call

from chargebook.db import Database, SessionRepository
from chargebook.domain.ocpp_upstream import UpstreamMode

from ..helpers import CP_ID
from .charger import charger
from .conftest import MirroredCentral, wait_linked
from .upstream import Upstream


async def test_transaction_ids_are_mapped_both_ways(
    mirrored_central: MirroredCentral, upstream: Upstream, database: Database
) -> None:
    central = await mirrored_central(UpstreamMode.CHARGEBOOK_PRIMARY)
    async with charger(central) as cp:
        await wait_linked(central)
        boot = await cp.boot()
        assert boot.interval == 300  # chargebook's answer
        start = await cp.start_tx(meter_start=100)
        book_tx = start.transaction_id
        assert book_tx != 1000
        await upstream.wait_for("StartTransaction")
        await cp.meter(book_tx, 600, "2026-03-10T18:30:00Z")
        await upstream.wait_for("MeterValues")
        # The upstream stops the session by ITS id; the charger hears chargebook's.
        side = await upstream.wait_connected(CP_ID)
        answer = await side.call(call.RemoteStopTransaction(transaction_id=1000))
        assert answer.status == "Accepted"
        assert cp.commands == [("RemoteStopTransaction", {"transaction_id": book_tx})]
        await cp.stop_tx(book_tx, meter_stop=2100)
        await upstream.wait_for("StopTransaction")
    assert upstream.payloads("MeterValues")[0]["transaction_id"] == 1000
    assert upstream.payloads("StopTransaction")[0]["transaction_id"] == 1000
    with database.session() as session:
        [book] = SessionRepository(session).list()
    assert book.external_id == f"{CP_ID}:{book_tx}"
    assert book.meter_stop_wh == 2100


async def test_the_upstream_may_not_fight_over_configuration_or_reset(
    mirrored_central: MirroredCentral, upstream: Upstream
) -> None:
    central = await mirrored_central(UpstreamMode.CHARGEBOOK_PRIMARY)
    async with charger(central) as cp:
        await wait_linked(central)
        await cp.boot()
        side = await upstream.wait_connected(CP_ID)
        fight = await side.call(
            call.ChangeConfiguration(key="MeterValuesSampledData", value="Voltage")
        )
        assert fight.status == "Rejected"
        other = await side.call(call.ChangeConfiguration(key="LightIntensity", value="50"))
        assert other.status == "Accepted"
        with pytest.raises(SecurityError):
            await side.call(call.Reset(type="Hard"), suppress=False)
        # chargebook's own commands still reach the charger, under its own ids.
        assert await central.change_configuration(CP_ID, "MeterValueSampleInterval", "15") == (
            "Accepted"
        )
    assert cp.commands == [
        ("ChangeConfiguration", {"key": "LightIntensity", "value": "50"}),
        ("ChangeConfiguration", {"key": "MeterValueSampleInterval", "value": "15"}),
    ]
