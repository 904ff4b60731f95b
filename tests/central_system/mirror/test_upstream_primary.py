"""Upstream primary against a real upstream central system: the upstream answers the charger
and commands it, chargebook keeps the book as a tap and may only read."""

from __future__ import annotations

import base64
import logging

import pytest
from ocpp.v16 import call

from chargebook.central_system import CommandRejectedError
from chargebook.db import Database, SessionRepository
from chargebook.domain.ocpp_upstream import UpstreamMode

from ..helpers import CP_ID
from .charger import charger
from .conftest import UPSTREAM_PASSWORD, MirroredCentral, wait_linked
from .upstream import Upstream

T0 = "2026-03-10T18:30:00Z"


async def test_the_session_reaches_both_and_the_upstream_answers(
    mirrored_central: MirroredCentral,
    upstream: Upstream,
    database: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    central = await mirrored_central(UpstreamMode.UPSTREAM_PRIMARY)
    async with charger(central) as cp:
        await wait_linked(central)
        boot = await cp.boot()
        assert boot.interval == 77  # the upstream's answer, not chargebook's 300
        await cp.call(call.Heartbeat())
        await cp.call(
            call.StatusNotification(connector_id=1, error_code="NoError", status="Preparing")
        )
        start = await cp.start_tx(meter_start=1000)
        assert start.transaction_id == 1000  # the upstream's id is the one the charger uses
        await cp.meter(start.transaction_id, 1500, T0)
        await cp.stop_tx(start.transaction_id, meter_stop=3500)
        await upstream.wait_for("StopTransaction")
    assert upstream.actions() == [
        "BootNotification",
        "Heartbeat",
        "StatusNotification",
        "StartTransaction",
        "MeterValues",
        "StopTransaction",
    ]
    assert upstream.payloads("StopTransaction")[0]["transaction_id"] == 1000
    assert upstream.paths == ["/steve/websocket/CentralSystemService/CP-1"]
    expected = base64.b64encode(f"{CP_ID}:{UPSTREAM_PASSWORD}".encode()).decode()
    assert upstream.authorizations == [f"Basic {expected}"]
    # websockets logs handshake headers at DEBUG; chargebook's loggers hide them (the test's
    # own charger and upstream, under websockets.*, do not).
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("chargebook"))
    assert "> Authorization: (hidden)" in ours
    assert expected not in ours
    assert UPSTREAM_PASSWORD not in ours
    with database.session() as session:
        [book] = SessionRepository(session).list()
    assert book.meter_start_wh == 1000
    assert book.meter_stop_wh == 3500
    # The book keeps its own transaction id; the upstream's 1000 was mapped to it.
    assert book.external_id != f"{CP_ID}:1000"


async def test_an_upstream_remote_start_reaches_the_charger_and_its_reply_goes_back(
    mirrored_central: MirroredCentral, upstream: Upstream
) -> None:
    central = await mirrored_central(UpstreamMode.UPSTREAM_PRIMARY)
    async with charger(central) as cp:
        await wait_linked(central)
        await cp.boot()
        side = await upstream.wait_connected(CP_ID)
        answer = await side.call(call.RemoteStartTransaction(id_tag="APP-7", connector_id=1))
        assert answer.status == "Accepted"
        assert cp.commands == [("RemoteStartTransaction", {"id_tag": "APP-7", "connector_id": 1})]
        config = await side.call(call.GetConfiguration(key=["MeterValueSampleInterval"]))
        assert config.configuration_key[0]["value"] == "60"


async def test_chargebook_may_read_but_not_command_or_reconfigure(
    mirrored_central: MirroredCentral,
) -> None:
    central = await mirrored_central(UpstreamMode.UPSTREAM_PRIMARY)
    async with charger(central) as cp:
        await wait_linked(central)
        await cp.boot()
        assert await central.get_configuration(CP_ID) == {"MeterValueSampleInterval": "60"}
        with pytest.raises(CommandRejectedError) as limit:
            await central.set_current(CP_ID, 10)
        assert limit.value.code == "UpstreamPrimary"
        with pytest.raises(CommandRejectedError, match="configuration conflict"):
            await central.change_configuration(CP_ID, "MeterValueSampleInterval", "10")
        with pytest.raises(CommandRejectedError):
            await central.remote_start(CP_ID)
        # Only the read reached the charger.
        assert [name for name, _ in cp.commands] == ["GetConfiguration"]
