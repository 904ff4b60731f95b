"""The simulated OCPP 2.0.1 station's answers to the central system's commands: remote start
and stop, charging profiles (a TxDefaultProfile sets the limit, a TxProfile of 0 A pauses its
transaction, clearing it resumes), reset, unlock, variables and triggered messages."""

from __future__ import annotations

from typing import Any

from ocpp.v201 import call_result
from ocpp.v201.enums import Action

from chargebook.clock import Clock
from chargebook.ocpp_common.routing import handles
from chargebook.simulator.ocpp.model import ChargePointConfig
from chargebook.simulator.ocpp.station201 import TransactingStation201


class SimulatedStation201(TransactingStation201):
    """An OCPP 2.0.1 station at `url` (ws://HOST:PORT/.../ID)."""

    def __init__(self, url: str, config: ChargePointConfig, clock: Clock) -> None:
        super().__init__(url, config, clock)
        self.profiles_received: list[dict[str, Any]] = []
        self.variables: dict[tuple[str, str], str] = {
            ("OCPPCommCtrlr", "HeartbeatInterval"): str(int(config.heartbeat_interval_s)),
            ("SampledDataCtrlr", "TxUpdatedInterval"): str(int(config.meter_interval_s)),
            ("SampledDataCtrlr", "TxUpdatedMeasurands"): "Energy.Active.Import.Register",
            ("TxCtrlr", "TxStartPoint"): "EVConnected",
        }

    @handles(Action.request_start_transaction)
    def on_request_start_transaction(
        self, id_token: dict[str, Any], remote_start_id: int, **kwargs: Any
    ) -> call_result.RequestStartTransaction:
        if not self.plugged or self.transaction_id is not None:
            # Already running (cable first): the answer names it, as 2.0.1 asks.
            return call_result.RequestStartTransaction(
                status="Accepted" if self.transaction_id else "Rejected",
                transaction_id=self.transaction_id,
            )
        self.spawn(self.start_transaction(str(id_token["id_token"])))
        return call_result.RequestStartTransaction(status="Accepted")

    @handles(Action.request_stop_transaction)
    def on_request_stop_transaction(
        self, transaction_id: str, **kwargs: Any
    ) -> call_result.RequestStopTransaction:
        if transaction_id != self.transaction_id:
            return call_result.RequestStopTransaction(status="Rejected")
        self.spawn(self.stop_transaction("Remote"))
        return call_result.RequestStopTransaction(status="Accepted")

    @handles(Action.set_charging_profile)
    def on_set_charging_profile(
        self, evse_id: int, charging_profile: dict[str, Any], **kwargs: Any
    ) -> call_result.SetChargingProfile:
        self.profiles_received.append(charging_profile)
        limit = float(
            charging_profile["charging_schedule"][0]["charging_schedule_period"][0]["limit"]
        )
        purpose = charging_profile["charging_profile_purpose"]
        if purpose == "TxProfile":
            if charging_profile.get("transaction_id") != self.transaction_id:
                return call_result.SetChargingProfile(status="Rejected")
            self.paused = limit <= 0
        else:
            self.limit_a = limit
        self._apply_power()
        return call_result.SetChargingProfile(status="Accepted")

    @handles(Action.clear_charging_profile)
    def on_clear_charging_profile(self, **kwargs: Any) -> call_result.ClearChargingProfile:
        if not self.paused:
            return call_result.ClearChargingProfile(status="Unknown")
        self.paused = False
        self._apply_power()
        return call_result.ClearChargingProfile(status="Accepted")

    @handles(Action.reset)
    def on_reset(self, type: str, **kwargs: Any) -> call_result.Reset:
        if type == "OnIdle" and self.transaction_id is not None:
            return call_result.Reset(status="Scheduled")
        self.spawn(self._reboot())
        return call_result.Reset(status="Accepted")

    async def _reboot(self) -> None:
        await self.stop_transaction("ImmediateReset")
        await self.boot()

    @handles(Action.unlock_connector)
    def on_unlock_connector(self, evse_id: int, connector_id: int, **kwargs: Any) -> Any:
        if self.transaction_id is not None:
            return call_result.UnlockConnector(status="OngoingAuthorizedTransaction")
        return call_result.UnlockConnector(status="Unlocked")

    @handles(Action.get_variables)
    def on_get_variables(self, get_variable_data: list[dict[str, Any]], **kwargs: Any) -> Any:
        results = []
        for item in get_variable_data:
            key = (item["component"]["name"], item["variable"]["name"])
            value = self.variables.get(key)
            found = {"attribute_value": value} if value is not None else {}
            status = "Accepted" if value is not None else "UnknownVariable"
            results.append({"attribute_status": status, "component": item["component"],
                            "variable": item["variable"], **found})  # fmt: skip
        return call_result.GetVariables(get_variable_result=results)

    @handles(Action.set_variables)
    def on_set_variables(self, set_variable_data: list[dict[str, Any]], **kwargs: Any) -> Any:
        results = []
        for item in set_variable_data:
            key = (item["component"]["name"], item["variable"]["name"])
            known = key in self.variables
            if known:
                self.variables[key] = str(item["attribute_value"])
            status = "Accepted" if known else "UnknownVariable"
            results.append(
                {"attribute_status": status, "component": item["component"],
                 "variable": item["variable"]}
            )  # fmt: skip
        return call_result.SetVariables(set_variable_result=results)

    @handles(Action.trigger_message)
    def on_trigger_message(self, requested_message: str, **kwargs: Any) -> Any:
        senders = {
            "TransactionEvent": self.send_meter_values,
            "MeterValues": self.send_meter_values,  # in a transaction's Updated event
            "StatusNotification": lambda: self.notify_status(self.status),
            "Heartbeat": self.heartbeat,
            "BootNotification": self.boot,
        }
        sender = senders.get(requested_message)
        if sender is None:
            return call_result.TriggerMessage(status="NotImplemented")
        self.spawn(sender())
        return call_result.TriggerMessage(status="Accepted")

    @handles(Action.get_base_report)
    def on_get_base_report(self, request_id: int, **kwargs: Any) -> Any:
        return call_result.GetBaseReport(status="Accepted")

    @handles(Action.data_transfer)
    def on_data_transfer(self, **kwargs: Any) -> call_result.DataTransfer:
        return call_result.DataTransfer(status="UnknownVendorId")
