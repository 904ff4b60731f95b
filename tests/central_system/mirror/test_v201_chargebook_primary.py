"""OCPP 2.0.1 chargebook primary against a real `ocpp`-library 2.0.1 upstream: chargebook
answers and commands the station; the upstream hears everything and may start sessions and
read, but the 1.6 policy holds under the 2.0.1 names: no SetVariables of what the book or the
connection depend on, no SetNetworkProfile, no Reset."""

from __future__ import annotations

import pytest
from ocpp.exceptions import SecurityError
from ocpp.v201 import call

from chargebook.clock import FixedClock
from chargebook.db import Database, SessionRepository
from chargebook.domain.ocpp_upstream import UpstreamMode

from ..helpers import CP_ID
from .conftest import MirroredCentral, wait_linked
from .station201 import TX, session_times, station201
from .upstream201 import UPSTREAM_INTERVAL_S, Upstream201


def _variable(component: str, variable: str, value: str) -> dict[str, object]:
    return {"component": {"name": component}, "variable": {"name": variable},
            "attribute_value": value}  # fmt: skip


async def test_chargebook_answers_and_the_upstream_hears_everything(
    mirrored_central201: MirroredCentral,
    upstream201: Upstream201,
    database: Database,
    clock: FixedClock,
) -> None:
    central = await mirrored_central201(UpstreamMode.CHARGEBOOK_PRIMARY)
    start, middle, end = session_times(clock.now())
    async with station201(central) as cp:
        await wait_linked(central)
        boot = await cp.boot()
        assert boot.interval != UPSTREAM_INTERVAL_S  # chargebook's answer
        await cp.status(start)
        await cp.event("Started", 0, start, 2000)
        await cp.event("Updated", 1, middle, 5000)
        await cp.event("Ended", 2, end, 7000)
        await upstream201.wait_for("TransactionEvent", 3)
    assert upstream201.subprotocols == ["ocpp2.0.1"]
    assert upstream201.actions()[:2] == ["BootNotification", "StatusNotification"]
    events = upstream201.payloads("TransactionEvent")
    assert [(e["event_type"], e["seq_no"]) for e in events] == [
        ("Started", 0),
        ("Updated", 1),
        ("Ended", 2),
    ]
    assert {e["transaction_info"]["transaction_id"] for e in events} == {TX}
    with database.session() as session:
        [book] = SessionRepository(session).list()
    assert (book.meter_start_wh, book.meter_stop_wh) == (2000, 7000)
    assert book.external_id.startswith(f"{CP_ID}:")


async def test_the_upstream_may_start_and_read_but_not_fight_or_reset(
    mirrored_central201: MirroredCentral, upstream201: Upstream201
) -> None:
    central = await mirrored_central201(UpstreamMode.CHARGEBOOK_PRIMARY)
    async with station201(central) as cp:
        await wait_linked(central)
        await cp.boot()
        side = await upstream201.wait_connected(CP_ID)
        started = await side.call(
            call.RequestStartTransaction(id_token={"id_token": "TAG-1", "type": "Central"},
                                         remote_start_id=7)
        )  # fmt: skip
        assert started.status == "Accepted"
        wanted = {
            "component": {"name": "SampledDataCtrlr"},
            "variable": {"name": "TxUpdatedInterval"},
        }
        read = await side.call(call.GetVariables(get_variable_data=[wanted]))
        assert read.get_variable_result[0]["attribute_value"] == "60"
        fight = await side.call(
            call.SetVariables(set_variable_data=[
                _variable("SampledDataCtrlr", "TxUpdatedMeasurands", "Voltage"),
                _variable("SecurityCtrlr", "BasicAuthPassword", "upstream-chose-this-1234"),
            ])
        )  # fmt: skip
        assert [r["attribute_status"] for r in fight.set_variable_result] == ["Rejected"] * 2
        assert fight.set_variable_result[0]["attribute_status_info"]["reason_code"] == (
            "ConfigConflict"
        )
        other = await side.call(
            call.SetVariables(set_variable_data=[_variable("DisplayCtrlr", "Brightness", "50")])
        )
        assert other.set_variable_result[0]["attribute_status"] == "Accepted"
        with pytest.raises(SecurityError):
            await side.call(call.Reset(type="Immediate"), suppress=False)
        profile = {"ocpp_version": "OCPP20", "ocpp_transport": "JSON",
                   "ocpp_csms_url": "wss://elsewhere.example/ocpp", "message_timeout": 30,
                   "security_profile": 1, "ocpp_interface": "Wired0"}  # fmt: skip
        network = call.SetNetworkProfile(configuration_slot=1, connection_data=profile)
        with pytest.raises(SecurityError):
            await side.call(network, suppress=False)
        # chargebook's own configuration reaches the station, under its own ids.
        assert await central.set_variables(
            CP_ID, {("SampledDataCtrlr", "TxUpdatedInterval"): "15"}
        ) == {("SampledDataCtrlr", "TxUpdatedInterval"): "Accepted"}
    assert [name for name, _ in cp.commands] == [
        "RequestStartTransaction",
        "GetVariables",
        "SetVariables",
        "SetVariables",
    ]
    assert cp.commands[2][1]["set_variable_data"][0]["variable"] == {"name": "Brightness"}
    assert cp.commands[3][1]["set_variable_data"][0]["variable"] == {"name": "TxUpdatedInterval"}
