"""A simulated OCPP 2.0.1 charging station: one EVSE with one connector, the same meter and
link as the 1.6 charger (`transactions`, `link`), and the same step methods, so the runner,
the CLI (`--ocpp-version 2.0.1`) and tests drive either version alike.

Its transactions are TransactionEvents: Started when the cable is plugged in (TxStartPoint
EVConnected, with the `Transaction.Begin` register), Updated on charging-state changes and
every meter interval (`Sample.Periodic` register and power), Ended with the `Transaction.End`
register; `seqNo` counts from 0 per transaction (Edition 2), events made while offline carry
`offline: true` and wait in the outbox. Its transaction ids are UUIDs, as EVerest's are.
Commands: `station201_handlers`.
"""

from __future__ import annotations

import uuid
from typing import Any

from ocpp.v201 import call
from ocpp.v201 import call_result as v201_results

from chargebook.clock import Clock
from chargebook.simulator.ocpp.link import ChargePointLink
from chargebook.simulator.ocpp.model import VOLTAGE_V, ChargePointConfig, Meter

EVSE = {"id": 1, "connector_id": 1}


def _iso(clock: Clock) -> str:
    return clock.now().isoformat().replace("+00:00", "Z")


class TransactingStation201(ChargePointLink):
    """The station, its meter and its transactions (handlers: `SimulatedStation201`)."""

    _call = call
    _call_result = v201_results
    _ocpp_version = "2.0.1"
    subprotocol = "ocpp2.0.1"

    def __init__(self, url: str, config: ChargePointConfig, clock: Clock) -> None:
        super().__init__(url, config)
        self.clock = clock
        self.meter = Meter(clock, config.lifetime_register_wh)
        self.status = "Available"  # connectorStatus
        self.charging_state = "Idle"
        self.plugged = False
        self.transaction_id: str | None = None
        self.meter_start_wh = 0
        self.seq_no = 0
        self.limit_a = config.max_current_a  # the TxDefaultProfile's limit
        self.paused = False  # a TxProfile of 0 A holds the transaction
        self.configuration = {"MeterValueSampleInterval": str(int(config.meter_interval_s))}

    async def boot(self) -> Any:
        station = {"model": self.config.model, "vendor_name": self.config.vendor,
                   "serial_number": f"SIM-{self.id}", "firmware_version": "2.0.1-sim"}  # fmt: skip
        return await self.send(call.BootNotification(charging_station=station, reason="PowerUp"))

    async def heartbeat(self) -> Any:
        return await self.send(call.Heartbeat())

    async def notify_status(self, status: str) -> None:
        """Change the connectorStatus (Available, Occupied, ...) and report it."""
        self.status = status
        await self.send(
            call.StatusNotification(
                timestamp=_iso(self.clock), connector_status=status, evse_id=1, connector_id=1
            )
        )

    async def plug_in(self) -> None:
        """A car is plugged in: Occupied, and a transaction starts (TxStartPoint EVConnected)."""
        self.plugged = True
        await self.notify_status("Occupied")
        await self.start_transaction()

    async def start_transaction(self, id_tag: str | None = None) -> str | None:
        if self.transaction_id is not None:
            return self.transaction_id
        self.meter.update()
        self.meter_start_wh = int(self.meter.register_wh)
        self.transaction_id, self.seq_no = str(uuid.uuid4()), 0
        token = {"id_token": id_tag or self.config.id_tag, "type": "Central" if id_tag else "Local"}
        self._apply_power()
        await self._event("Started", "CablePluggedIn", "Transaction.Begin", id_token=token)
        return self.transaction_id

    async def send_meter_values(self) -> None:
        """A periodic Updated event with the register and the power."""
        if self.transaction_id is None:
            return
        self._apply_power()
        await self._event("Updated", "MeterValuePeriodic", "Sample.Periodic")

    async def stop_transaction(self, reason: str = "EVDisconnected") -> None:
        if self.transaction_id is None:
            return
        self.meter.update()
        self.meter.set_power(0.0)
        self.charging_state = "Idle" if not self.plugged else "EVConnected"
        trigger = "EVCommunicationLost" if reason == "EVDisconnected" else "RemoteStop"
        await self._event("Ended", trigger, "Transaction.End", stopped_reason=reason)
        self.transaction_id, self.paused = None, False

    async def unplug(self) -> None:
        """The car leaves: Available, and the transaction ends (TxStopPoint EVConnected)."""
        self.plugged = False
        await self.notify_status("Available")
        await self.stop_transaction("EVDisconnected")

    def session_energy_wh(self) -> float:
        self.meter.update()
        return self.meter.register_wh - self.meter_start_wh if self.transaction_id else 0.0

    async def _event(
        self,
        event_type: str,
        trigger: str,
        context: str,
        *,
        id_token: dict[str, str] | None = None,
        stopped_reason: str | None = None,
    ) -> None:
        assert self.transaction_id is not None
        info: dict[str, Any] = {"transaction_id": self.transaction_id}
        info["charging_state"] = self.charging_state
        if stopped_reason is not None:
            info["stopped_reason"] = stopped_reason
        payload = call.TransactionEvent(
            event_type=event_type,
            timestamp=_iso(self.clock),
            trigger_reason=trigger,
            seq_no=self.seq_no,
            transaction_info=info,
            offline=not self.connected.is_set() or None,
            evse=EVSE if event_type == "Started" else None,
            id_token=id_token,
            meter_value=[self._meter_value(context)],
        )
        self.seq_no += 1
        await self.send(payload, buffered=True)

    def _meter_value(self, context: str) -> dict[str, Any]:
        self.meter.update()
        sampled = [
            {"value": round(self.meter.register_wh, 1), "context": context,
             "measurand": "Energy.Active.Import.Register", "location": "Outlet",
             "unit_of_measure": {"unit": "Wh", "multiplier": 0}},
        ]  # fmt: skip
        if context != "Transaction.Begin":
            sampled.append({"value": round(self.meter.power_w, 1), "context": context,
                            "measurand": "Power.Active.Import",
                            "unit_of_measure": {"unit": "W"}})  # fmt: skip
        return {"timestamp": _iso(self.clock), "sampled_value": sampled}

    def _apply_power(self) -> None:
        """Draw current while a transaction runs, the car needs energy and no limit holds it;
        report the charging state when it changes (ChargingStateChanged / ChargingRateChanged)."""
        needs = self.meter.register_wh - self.meter_start_wh < self.config.car_needs_wh
        limit = 0.0 if self.paused else min(self.limit_a, self.config.max_current_a)
        drawing = self.transaction_id is not None and needs and limit > 0
        power = limit * VOLTAGE_V * self.config.phases if drawing else 0.0
        if power != self.meter.power_w:
            self.meter.set_power(power)
        if self.transaction_id is None:
            return
        state = "Charging" if drawing else ("SuspendedEVSE" if limit <= 0 else "SuspendedEV")
        if state != self.charging_state:
            changed_by_us = "SuspendedEVSE" in (state, self.charging_state)
            self.charging_state = state
            if self.seq_no > 0:  # the Started event itself carries the first state
                trigger = "ChargingRateChanged" if changed_by_us else "ChargingStateChanged"
                self.spawn(self._event("Updated", trigger, "Sample.Periodic"))
