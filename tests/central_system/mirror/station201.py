"""The OCPP 2.0.1 station of the mirror tests: a charging station written with the `ocpp`
library's v201 classes that connects to chargebook's central system (subprotocol ocpp2.0.1),
records the commands it gets and runs one session whose transactionId it chooses itself."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

from ocpp.routing import on
from ocpp.v201 import ChargePoint, call, call_result
from ocpp.v201.enums import Action

from chargebook.central_system import CentralSystem

from ..helpers import CP_ID, open_raw

TX = "6f1a8c2e-2b1d-4c55-9a61-0d3f5e7b9c10"  # the station's own transactionId (a UUID)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


class Station201(ChargePoint):  # type: ignore[misc]  # the library is untyped
    def __init__(self, cp_id: str, connection: Any) -> None:
        super().__init__(cp_id, connection, response_timeout=8)
        self.commands: list[tuple[str, dict[str, Any]]] = []

    @on(Action.request_start_transaction)
    def on_request_start(self, **kwargs: Any) -> call_result.RequestStartTransaction:
        self.commands.append(("RequestStartTransaction", kwargs))
        return call_result.RequestStartTransaction(status="Accepted")

    @on(Action.get_variables)
    def on_get_variables(self, get_variable_data: list[Any], **kw: Any) -> Any:
        self.commands.append(("GetVariables", {"get_variable_data": get_variable_data}))
        results = [
            {"attribute_status": "Accepted", "attribute_value": "60",
             "component": item["component"], "variable": item["variable"]}
            for item in get_variable_data
        ]  # fmt: skip
        return call_result.GetVariables(get_variable_result=results)

    @on(Action.set_variables)
    def on_set_variables(self, set_variable_data: list[Any], **kw: Any) -> Any:
        self.commands.append(("SetVariables", {"set_variable_data": set_variable_data}))
        results = [
            {"attribute_status": "Accepted", "component": item["component"],
             "variable": item["variable"]}
            for item in set_variable_data
        ]  # fmt: skip
        return call_result.SetVariables(set_variable_result=results)

    @on(Action.reset)
    def on_reset(self, **kwargs: Any) -> call_result.Reset:
        self.commands.append(("Reset", kwargs))
        return call_result.Reset(status="Accepted")

    @on(Action.set_network_profile)
    def on_set_network_profile(self, **kwargs: Any) -> call_result.SetNetworkProfile:
        self.commands.append(("SetNetworkProfile", kwargs))
        return call_result.SetNetworkProfile(status="Accepted")

    async def boot(self) -> Any:
        return await self.call(
            call.BootNotification(
                charging_station={"model": "Pulsar Plus", "vendor_name": "Wallbox"},
                reason="PowerUp",
            )
        )

    async def status(self, at: datetime, connector_status: str = "Occupied") -> Any:
        return await self.call(
            call.StatusNotification(
                timestamp=_iso(at), connector_status=connector_status, evse_id=1, connector_id=1
            )
        )

    async def event(self, event_type: str, seq_no: int, at: datetime, wh: float) -> Any:
        """A TransactionEvent of the station's transaction `TX` with its energy register."""
        context = {"Started": "Transaction.Begin", "Ended": "Transaction.End"}.get(
            event_type, "Sample.Periodic"
        )
        sample = {
            "value": wh,
            "context": context,
            "measurand": "Energy.Active.Import.Register",
            "unit_of_measure": {"unit": "Wh"},
        }
        info: dict[str, Any] = {"transaction_id": TX, "charging_state": "Charging"}
        if event_type == "Ended":
            info = {"transaction_id": TX, "charging_state": "Idle", "stopped_reason": "Local"}
        trigger = {"Started": "CablePluggedIn", "Ended": "EVCommunicationLost"}.get(
            event_type, "MeterValuePeriodic"
        )
        return await self.call(
            call.TransactionEvent(
                event_type=event_type,
                timestamp=_iso(at),
                trigger_reason=trigger,
                seq_no=seq_no,
                transaction_info=info,
                evse={"id": 1, "connector_id": 1},
                meter_value=[{"timestamp": _iso(at), "sampled_value": [sample]}],
            )
        )


def session_times(now: datetime) -> list[datetime]:
    """Start, middle and end of a one-hour session that ended a minute before `now`."""
    start = now - timedelta(minutes=61)
    return [start, start + timedelta(minutes=30), start + timedelta(minutes=60)]


@contextlib.asynccontextmanager
async def station201(central: CentralSystem, cp_id: str = CP_ID) -> AsyncIterator[Station201]:
    ws = await open_raw(central, cp_id, subprotocols=["ocpp2.0.1"])
    assert ws.subprotocol == "ocpp2.0.1"
    cp = Station201(cp_id, ws)
    receiver = asyncio.create_task(cp.start())
    try:
        yield cp
    finally:
        await ws.close()
        receiver.cancel()
        with contextlib.suppress(BaseException):
            await receiver
