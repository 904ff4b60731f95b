"""A simulated OCPP 1.6J charge point: the charger (`transactions`, over its link to the
central system in `link`) and its handlers of the central system's commands (remote start and
stop, charging profiles with the Wallbox firmware's quirks, reset, configuration, triggered
messages).

One object is one charger: it survives reconnects (the library's ChargePoint gets the new
connection), keeps a lifetime meter and at most one transaction on connector 1, and buffers
transaction messages (MeterValues, StopTransaction) while offline, sending them in order once
it is back. Step methods (`plug_in`, `send_meter_values`, ...) make tests deterministic;
`chargebook.simulator.ocpp.runner` drives them in time for the CLI, demo and benchmarks.
"""

from __future__ import annotations

from typing import Any

from ocpp.v16 import call_result
from ocpp.v16.enums import Action

from chargebook.clock import Clock
from chargebook.ocpp_common.routing import handles
from chargebook.simulator.ocpp.model import ChargePointConfig
from chargebook.simulator.ocpp.transactions import TransactingChargePoint


class SimulatedChargePoint(TransactingChargePoint):
    """A charge point at `url` (ws://HOST:PORT/.../ID; the id is the last path segment)."""

    def __init__(self, url: str, config: ChargePointConfig, clock: Clock) -> None:
        super().__init__(url, config, clock)
        self.profiles_received: list[dict[str, Any]] = []
        self.configuration: dict[str, str] = {
            "HeartbeatInterval": str(int(config.heartbeat_interval_s)),
            "MeterValueSampleInterval": str(int(config.meter_interval_s)),
            "MeterValuesSampledData": "Energy.Active.Import.Register,Power.Active.Import",
            "ChargeProfileMaxStackLevel": "0" if config.wallbox_quirks else "8",
            "AuthorizeRemoteTxRequests": "false",
        }

    @handles(Action.remote_start_transaction)
    def on_remote_start_transaction(
        self, id_tag: str, **kwargs: Any
    ) -> call_result.RemoteStartTransaction:
        if not self.plugged or self.transaction_id is not None:
            return call_result.RemoteStartTransaction(status="Rejected")
        self.spawn(self.start_transaction(id_tag))
        return call_result.RemoteStartTransaction(status="Accepted")

    @handles(Action.remote_stop_transaction)
    def on_remote_stop_transaction(
        self, transaction_id: int, **kwargs: Any
    ) -> call_result.RemoteStopTransaction:
        if transaction_id != self.transaction_id:
            return call_result.RemoteStopTransaction(status="Rejected")
        self.spawn(self.stop_transaction("Remote"))
        return call_result.RemoteStopTransaction(status="Accepted")

    @handles(Action.set_charging_profile)
    def on_set_charging_profile(
        self, connector_id: int, cs_charging_profiles: dict[str, Any], **kwargs: Any
    ) -> call_result.SetChargingProfile:
        profile = dict(cs_charging_profiles)
        repeated = bool(self.profiles_received) and _same_profile(
            self.profiles_received[-1], profile
        )
        self.profiles_received.append(profile)
        if self.config.wallbox_quirks and profile.get("stack_level", 0) != 0:
            return call_result.SetChargingProfile(status="Rejected")
        periods = profile["charging_schedule"]["charging_schedule_period"]
        self.limit_a = float(periods[0]["limit"])
        if self.config.wallbox_quirks and repeated:
            self.limit_a = 16.0  # firmware 6.4.x: an identical profile twice (evcc #15490)
        self._apply_power()
        self._report_suspension()
        return call_result.SetChargingProfile(status="Accepted")

    def _report_suspension(self) -> None:
        # A real charger says SuspendedEVSE while a 0 A limit holds its open transaction and
        # Charging again once the limit allows current (what a controller confirms by).
        if self.transaction_id is None or self.status not in ("Charging", "SuspendedEVSE"):
            return
        status = "SuspendedEVSE" if self.limit_a <= 0 else "Charging"
        if status != self.status:
            self.status = status
            self.spawn(self.notify_status(status))

    @handles(Action.clear_charging_profile)
    def on_clear_charging_profile(self, **kwargs: Any) -> call_result.ClearChargingProfile:
        self.limit_a = self.config.max_current_a
        self._apply_power()
        self._report_suspension()
        return call_result.ClearChargingProfile(status="Accepted")

    @handles(Action.reset)
    def on_reset(self, type: str, **kwargs: Any) -> call_result.Reset:
        self.spawn(self._reboot(type))
        return call_result.Reset(status="Accepted")

    async def _reboot(self, kind: str) -> None:
        await self.stop_transaction("SoftReset" if kind == "Soft" else "HardReset")
        await self.boot()

    @handles(Action.unlock_connector)
    def on_unlock_connector(self, connector_id: int, **kwargs: Any) -> call_result.UnlockConnector:
        return call_result.UnlockConnector(status="Unlocked")

    @handles(Action.get_configuration)
    def on_get_configuration(
        self, key: list[str] | None = None, **kwargs: Any
    ) -> call_result.GetConfiguration:
        keys = key or list(self.configuration)
        known = [
            {"key": k, "readonly": False, "value": self.configuration[k]}
            for k in keys
            if k in self.configuration
        ]
        unknown = [k for k in keys if k not in self.configuration]
        return call_result.GetConfiguration(configuration_key=known, unknown_key=unknown or None)

    @handles(Action.change_configuration)
    def on_change_configuration(
        self, key: str, value: str, **kwargs: Any
    ) -> call_result.ChangeConfiguration:
        if key not in self.configuration:
            return call_result.ChangeConfiguration(status="NotSupported")
        if key == "MeterValuesSampledData" and self.config.wallbox_quirks and "Offered" in value:
            return call_result.ChangeConfiguration(status="Rejected")
        self.configuration[key] = value
        return call_result.ChangeConfiguration(status="Accepted")

    @handles(Action.trigger_message)
    def on_trigger_message(
        self, requested_message: str, **kwargs: Any
    ) -> call_result.TriggerMessage:
        senders = {
            "MeterValues": self.send_meter_values,
            "StatusNotification": lambda: self.notify_status(self.status),
            "Heartbeat": self.heartbeat,
            "BootNotification": self.boot,
        }
        sender = senders.get(requested_message)
        if sender is None:
            return call_result.TriggerMessage(status="NotImplemented")
        self.spawn(sender())
        return call_result.TriggerMessage(status="Accepted")

    @handles(Action.change_availability)
    def on_change_availability(self, **kwargs: Any) -> call_result.ChangeAvailability:
        return call_result.ChangeAvailability(status="Accepted")

    @handles(Action.data_transfer)
    def on_data_transfer(self, **kwargs: Any) -> call_result.DataTransfer:
        return call_result.DataTransfer(status="UnknownVendorId")


def _same_profile(a: dict[str, Any], b: dict[str, Any]) -> bool:
    # startSchedule moves with every Absolute profile; the rest is what the firmware compares.
    def strip(profile: dict[str, Any]) -> dict[str, Any]:
        schedule = {
            k: v for k, v in profile.get("charging_schedule", {}).items() if k != "start_schedule"
        }
        return {**profile, "charging_schedule": schedule}

    return strip(a) == strip(b)
