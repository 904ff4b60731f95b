"""The contract test for OCPP 2.0.1: a charging station written with the `ocpp` library's own
v201 classes (as the 1.6 one in `test_library_client.py`) runs a whole session against the
central system, and the book holds it as it holds a 1.6 session: energy, times, the raw
frames as evidence.

The message sequence follows the OCTT happy path the reference quotes (OCPP 2.0.1 Part 6,
Tables 393-399: plug in, authorize, charging, EV disconnected) and the station's frames are
shaped like EVerest's (https://github.com/EVerest/EVerest/issues/1835: `evse` left out of
Updated events, a phase-less register beside per-phase ones).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from ocpp.routing import on
from ocpp.v201 import ChargePoint, call, call_result
from ocpp.v201.enums import Action

from chargebook.central_system import CentralSystem, CommandRejectedError
from chargebook.central_system.control import OcppControl
from chargebook.clock import FixedClock
from chargebook.db import Database, SessionRepository
from chargebook.db.ocpp.book import SqlOcppBook
from chargebook.domain.models import ChargerState

from .helpers import CP_ID, open_raw

TX = "57da73c2-49ee-4abc-be95-cb12f783cc91"  # a UUID, as EVerest names its transactions
BEGIN_WH = 1_254_360.0


class Station(ChargePoint):  # type: ignore[misc]
    """A plain `ocpp` v201 charging station that records the commands it is sent."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.received: list[tuple[str, dict[str, Any]]] = []

    @on(Action.set_charging_profile)
    def on_set_charging_profile(self, **kwargs: Any) -> call_result.SetChargingProfile:
        self.received.append(("SetChargingProfile", kwargs))
        return call_result.SetChargingProfile(status="Accepted")

    @on(Action.clear_charging_profile)
    def on_clear_charging_profile(self, **kwargs: Any) -> call_result.ClearChargingProfile:
        self.received.append(("ClearChargingProfile", kwargs))
        return call_result.ClearChargingProfile(status="Accepted")

    @on(Action.request_start_transaction)
    def on_request_start(self, **kwargs: Any) -> call_result.RequestStartTransaction:
        self.received.append(("RequestStartTransaction", kwargs))
        return call_result.RequestStartTransaction(status="Accepted")

    @on(Action.request_stop_transaction)
    def on_request_stop(self, **kwargs: Any) -> call_result.RequestStopTransaction:
        self.received.append(("RequestStopTransaction", kwargs))
        return call_result.RequestStopTransaction(status="Accepted")

    @on(Action.reset)
    def on_reset(self, **kwargs: Any) -> call_result.Reset:
        self.received.append(("Reset", kwargs))
        return call_result.Reset(status="Scheduled")

    @on(Action.unlock_connector)
    def on_unlock(self, **kwargs: Any) -> call_result.UnlockConnector:
        self.received.append(("UnlockConnector", kwargs))
        return call_result.UnlockConnector(status="OngoingAuthorizedTransaction")

    @on(Action.trigger_message)
    def on_trigger(self, **kwargs: Any) -> call_result.TriggerMessage:
        self.received.append(("TriggerMessage", kwargs))
        return call_result.TriggerMessage(status="Accepted")

    @on(Action.get_variables)
    def on_get_variables(self, get_variable_data: list[Any], **kw: Any) -> Any:
        results = []
        for item in get_variable_data:
            known = item["variable"]["name"] == "HeartbeatInterval"
            results.append(
                {
                    "attribute_status": "Accepted" if known else "UnknownVariable",
                    "component": item["component"],
                    "variable": item["variable"],
                    **({"attribute_value": "300"} if known else {}),
                }
            )
        return call_result.GetVariables(get_variable_result=results)

    @on(Action.set_variables)
    def on_set_variables(self, set_variable_data: list[Any], **kw: Any) -> Any:
        self.received.append(("SetVariables", {"set_variable_data": set_variable_data}))
        results = [
            {"attribute_status": "RebootRequired", "component": i["component"],
             "variable": i["variable"]}
            for i in set_variable_data
        ]  # fmt: skip
        return call_result.SetVariables(set_variable_result=results)


@contextlib.asynccontextmanager
async def station(central: CentralSystem) -> AsyncIterator[Station]:
    ws = await open_raw(central, subprotocols=["ocpp2.0.1", "ocpp1.6"])
    assert ws.subprotocol == "ocpp2.0.1"
    cp = Station(CP_ID, ws)
    receiver = asyncio.create_task(cp.start())
    try:
        yield cp
    finally:
        await ws.close()
        receiver.cancel()
        with contextlib.suppress(BaseException):
            await receiver


def _energy(wh: float, context: str, when: str) -> dict[str, Any]:
    return {
        "timestamp": when,
        "sampled_value": [
            {"value": wh, "context": context, "measurand": "Energy.Active.Import.Register",
             "location": "Outlet", "unit_of_measure": {"unit": "Wh", "multiplier": 0}},
            {"value": wh / 3, "context": context, "measurand": "Energy.Active.Import.Register",
             "phase": "L1", "location": "Outlet", "unit_of_measure": {"unit": "Wh"}},
        ],
    }  # fmt: skip


def _event(
    event_type: str, seq_no: int, trigger: str, when: str, **extra: Any
) -> call.TransactionEvent:
    info = {"transaction_id": TX, **extra.pop("info", {})}
    return call.TransactionEvent(
        event_type=event_type, timestamp=when, trigger_reason=trigger, seq_no=seq_no,
        transaction_info=info, **extra,
    )  # fmt: skip


class _NoMeter:
    async def live(self, charge_point_id: str) -> tuple[float, float]:
        return (0.0, 0.0)


async def _until(check: Any) -> None:
    async with asyncio.timeout(3.0):
        while not check():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def test_a_library_station_charges_into_the_book_and_obeys_the_control_port(
    central: CentralSystem, database: Database, clock: FixedClock
) -> None:
    t0 = clock.now() - timedelta(hours=1)
    at = [(t0 + timedelta(minutes=m)).isoformat().replace("+00:00", "Z") for m in range(61)]
    control = OcppControl(central, _NoMeter(), clock)
    evse = {"id": 1, "connector_id": 1}
    async with station(central) as cp:
        boot = await cp.call(call.BootNotification(
            charging_station={"model": "SingleSocketCharger", "vendor_name": "VendorX"},
            reason="PowerUp",
        ))  # fmt: skip
        assert boot.status == "Accepted"
        await cp.call(call.StatusNotification(
            timestamp=at[0], connector_status="Occupied", evse_id=1, connector_id=1
        ))  # fmt: skip
        started = await cp.call(_event(
            "Started", 0, "CablePluggedIn", at[0], evse=evse,
            info={"charging_state": "EVConnected"},
            meter_value=[_energy(BEGIN_WH, "Transaction.Begin", at[0])],
        ))  # fmt: skip
        assert started.id_token_info is None
        token = {"id_token": "04A2B3C4D5E6F7", "type": "ISO14443"}
        authorize = await cp.call(call.Authorize(id_token=token))
        assert authorize.id_token_info["status"] == "Accepted"
        authorized = await cp.call(_event("Updated", 1, "Authorized", at[1], id_token=token))
        assert authorized.id_token_info["status"] == "Accepted"
        await cp.call(_event(
            "Updated", 2, "ChargingStateChanged", at[2], info={"charging_state": "Charging"}
        ))  # fmt: skip
        assert (await control.read(CP_ID)).state is ChargerState.CHARGING

        # The one charger-control port: a current limit, a pause, a resume.
        await control.set_current(CP_ID, 10)
        await control.set_charging(CP_ID, False)
        await cp.call(_event(
            "Updated", 3, "ChargingRateChanged", at[20], info={"charging_state": "SuspendedEVSE"},
            meter_value=[_energy(BEGIN_WH + 3_000, "Sample.Periodic", at[20])],
        ))  # fmt: skip
        assert (await control.read(CP_ID)).state is ChargerState.PAUSED
        await control.set_charging(CP_ID, True)
        await cp.call(_event(
            "Updated", 4, "ChargingStateChanged", at[30], info={"charging_state": "Charging"},
            meter_value=[_energy(BEGIN_WH + 3_000, "Sample.Periodic", at[30])],
        ))  # fmt: skip
        assert (await control.read(CP_ID)).state is ChargerState.CHARGING

        # EVerest leaves out `evse` on Updated events; the session is found by its id.
        await cp.call(_event(
            "Updated", 5, "MeterValuePeriodic", at[45], info={"charging_state": "Charging"},
            meter_value=[_energy(BEGIN_WH + 6_500, "Sample.Periodic", at[45])],
        ))  # fmt: skip
        await cp.call(call.StatusNotification(
            timestamp=at[60], connector_status="Available", evse_id=1, connector_id=1
        ))  # fmt: skip
        ended = _event(
            "Ended", 6, "EVCommunicationLost", at[60],
            info={"charging_state": "Idle", "stopped_reason": "EVDisconnected"},
            meter_value=[_energy(BEGIN_WH + 9_000, "Sample.Periodic", at[59]),
                         _energy(BEGIN_WH + 10_000, "Transaction.End", at[60])],
        )  # fmt: skip
        await cp.call(ended)
        await cp.call(ended)  # a retry after a lost answer changes nothing
        assert (await control.read(CP_ID)).state is ChargerState.READY

    assert [name for name, _ in cp.received] == [
        "SetChargingProfile",
        "SetChargingProfile",
        "ClearChargingProfile",
    ]
    limit, pause, resume = (payload for _, payload in cp.received)
    assert limit["evse_id"] == 1
    assert limit["charging_profile"]["charging_profile_purpose"] == "TxDefaultProfile"
    [schedule] = limit["charging_profile"]["charging_schedule"]
    assert schedule["charging_rate_unit"] == "A"
    assert schedule["charging_schedule_period"] == [{"start_period": 0, "limit": 10.0}]
    assert pause["charging_profile"]["charging_profile_purpose"] == "TxProfile"
    assert pause["charging_profile"]["transaction_id"] == TX
    assert pause["charging_profile"]["charging_schedule"][0]["charging_schedule_period"] == [
        {"start_period": 0, "limit": 0.0}
    ]
    assert resume == {"charging_profile_id": pause["charging_profile"]["id"]}

    with database.session() as session:
        [book] = SessionRepository(session).list()
        raw = SessionRepository(session).get_raw_payload(book.id)
        [transaction] = SqlOcppBook(session, clock).open_transactions(CP_ID) or [None]
    assert transaction is None
    assert book.started_at == t0
    assert book.ended_at == t0 + timedelta(minutes=60)
    assert book.energy_kwh == 10
    assert book.meter_start_wh == int(BEGIN_WH)
    assert book.meter_stop_wh == int(BEGIN_WH) + 10_000
    assert book.state.value == "ok"
    frames = raw["frames"]
    assert [f[2] for f in frames] == ["TransactionEvent"] * 7  # the retry is not doubled
    assert [f[3]["seqNo"] for f in frames] == list(range(7))
    assert frames[0][3]["transactionInfo"]["transactionId"] == TX
    assert raw["ocppTransactionId"] == TX
    assert raw["seqNoGaps"] == []
    assert book.external_id == f"{CP_ID}:{raw['transactionId']}"


async def test_commands_reach_a_2_0_1_station_in_its_own_messages(
    central: CentralSystem, clock: FixedClock
) -> None:
    when = clock.now().isoformat().replace("+00:00", "Z")
    async with station(central) as cp:
        await cp.call(_event(
            "Started", 0, "Authorized", when, evse={"id": 1, "connector_id": 1},
            id_token={"id_token": "T", "type": "Central"},
        ))  # fmt: skip
        await central.remote_start(CP_ID, id_tag="APP")
        await central.remote_stop(CP_ID)
        await central.reset(CP_ID, on_idle=True)
        await central.trigger_message(CP_ID, "MeterValues", connector_id=1)
        values = await central.get_variables(
            CP_ID, [("OCPPCommCtrlr", "HeartbeatInterval"), ("Foo", "Bar")]
        )
        statuses = await central.set_variables(
            CP_ID, {("OCPPCommCtrlr", "HeartbeatInterval"): "60"}
        )
        with pytest.raises(CommandRejectedError) as refused:
            await central.unlock(CP_ID)
        with pytest.raises(CommandRejectedError) as not_1_6:
            await central.get_configuration(CP_ID)
    assert refused.value.code == "OngoingAuthorizedTransaction"
    assert not_1_6.value.code == "NotSupported"
    assert values == {("OCPPCommCtrlr", "HeartbeatInterval"): "300", ("Foo", "Bar"): None}
    assert statuses == {("OCPPCommCtrlr", "HeartbeatInterval"): "RebootRequired"}
    received = dict(cp.received)
    assert received["RequestStartTransaction"]["id_token"] == {"id_token": "APP", "type": "Central"}
    assert received["RequestStartTransaction"]["evse_id"] == 1
    assert received["RequestStopTransaction"] == {"transaction_id": TX}
    assert received["Reset"] == {"type": "OnIdle"}
    assert received["TriggerMessage"] == {"requested_message": "MeterValues", "evse": {"id": 1}}
    assert received["UnlockConnector"] == {"evse_id": 1, "connector_id": 1}
