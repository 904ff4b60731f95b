"""The charger of the mirror tests: a charge point written with the `ocpp` library that
connects to chargebook's central system and answers the commands the tests send it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from ocpp.routing import on
from ocpp.v16 import ChargePoint, call, call_result
from ocpp.v16.enums import Action

from chargebook.central_system import CentralSystem

from ..helpers import CP_ID, open_raw


class Charger(ChargePoint):  # type: ignore[misc]  # the library is untyped
    def __init__(self, cp_id: str, connection: Any) -> None:
        super().__init__(cp_id, connection, response_timeout=8)
        self.commands: list[tuple[str, dict[str, Any]]] = []

    @on(Action.remote_start_transaction)
    def on_remote_start(self, **kwargs: Any) -> call_result.RemoteStartTransaction:
        self.commands.append(("RemoteStartTransaction", kwargs))
        return call_result.RemoteStartTransaction(status="Accepted")

    @on(Action.remote_stop_transaction)
    def on_remote_stop(self, **kwargs: Any) -> call_result.RemoteStopTransaction:
        self.commands.append(("RemoteStopTransaction", kwargs))
        return call_result.RemoteStopTransaction(status="Accepted")

    @on(Action.get_configuration)
    def on_get_configuration(self, **kwargs: Any) -> call_result.GetConfiguration:
        self.commands.append(("GetConfiguration", kwargs))
        return call_result.GetConfiguration(
            configuration_key=[
                {"key": "MeterValueSampleInterval", "readonly": False, "value": "60"}
            ]
        )

    @on(Action.change_configuration)
    def on_change_configuration(self, **kwargs: Any) -> call_result.ChangeConfiguration:
        self.commands.append(("ChangeConfiguration", kwargs))
        return call_result.ChangeConfiguration(status="Accepted")

    async def boot(self) -> Any:
        return await self.call(
            call.BootNotification(charge_point_model="Pulsar Plus", charge_point_vendor="Wallbox")
        )

    async def start_tx(self, meter_start: int = 1000) -> Any:
        return await self.call(
            call.StartTransaction(
                connector_id=1,
                id_tag="TAG-1",
                meter_start=meter_start,
                timestamp="2026-03-10T18:00:00Z",
            )
        )

    async def meter(self, transaction_id: int, wh: int, at: str) -> Any:
        sample = {"value": str(wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh"}
        return await self.call(
            call.MeterValues(
                connector_id=1,
                transaction_id=transaction_id,
                meter_value=[{"timestamp": at, "sampled_value": [sample]}],
            )
        )

    async def stop_tx(self, transaction_id: int, meter_stop: int) -> Any:
        return await self.call(
            call.StopTransaction(
                meter_stop=meter_stop,
                timestamp="2026-03-10T19:00:00Z",
                transaction_id=transaction_id,
            )
        )


@contextlib.asynccontextmanager
async def charger(central: CentralSystem, cp_id: str = CP_ID) -> AsyncIterator[Charger]:
    ws = await open_raw(central, cp_id)
    cp = Charger(cp_id, ws)
    receiver = asyncio.create_task(cp.start())
    try:
        yield cp
    finally:
        await ws.close()
        receiver.cancel()
        with contextlib.suppress(BaseException):
            await receiver
