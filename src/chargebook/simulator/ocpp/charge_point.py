"""A simulated OCPP 1.6J charge point, written on the `ocpp` library's ChargePoint (client side).

One object is one charger: it survives reconnects (the library's ChargePoint gets the new
connection), keeps a lifetime meter and at most one transaction on connector 1, and buffers
transaction messages (MeterValues, StopTransaction) while offline, sending them in order once
it is back. Step methods (`plug_in`, `send_meter_values`, ...) make tests deterministic;
`chargebook.simulator.ocpp.runner` drives them in time for the CLI, demo and benchmarks.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import random
from collections import deque
from collections.abc import Coroutine
from dataclasses import replace
from typing import Any
from urllib.parse import unquote, urlsplit

from ocpp.v16 import ChargePoint, call, call_result
from ocpp.v16.enums import Action
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from chargebook.clock import Clock
from chargebook.ocpp_common.log_redaction import hide_credential_headers
from chargebook.ocpp_common.routing import handles
from chargebook.simulator.ocpp.model import VOLTAGE_V, ChargePointConfig, Meter
from chargebook.simulator.ocpp.variants import Reading, choose, elements

LOG = logging.getLogger("chargebook.simulator.ocpp")
hide_credential_headers(LOG)
CONNECTOR = 1


def _iso(clock: Clock) -> str:
    return clock.now().isoformat().replace("+00:00", "Z")


class SimulatedChargePoint(ChargePoint):  # type: ignore[misc]  # the library is untyped
    """A charge point at `url` (ws://HOST:PORT/.../ID; the id is the last path segment)."""

    def __init__(self, url: str, config: ChargePointConfig, clock: Clock) -> None:
        charge_point_id = unquote([s for s in urlsplit(url).path.split("/") if s][-1])
        super().__init__(charge_point_id, None, response_timeout=config.response_timeout_s)
        self.url = url
        self.config = config
        self.clock = clock
        self.meter = Meter(clock, config.lifetime_register_wh)
        self.status = "Available"
        self.plugged = False
        self.transaction_id: int | None = None
        self.meter_start_wh = 0
        self._started_at = _iso(clock)
        self._reported = False  # the transaction has sent a MeterValues
        self._variants_rng = random.Random(config.real_variants_seed)
        self.limit_a = config.max_current_a
        self.profiles_received: list[dict[str, Any]] = []
        self.configuration: dict[str, str] = {
            "HeartbeatInterval": str(int(config.heartbeat_interval_s)),
            "MeterValueSampleInterval": str(int(config.meter_interval_s)),
            "MeterValuesSampledData": "Energy.Active.Import.Register,Power.Active.Import",
            "ChargeProfileMaxStackLevel": "0" if config.wallbox_quirks else "8",
            "AuthorizeRemoteTxRequests": "false",
        }
        self.outbox: deque[Any] = deque()  # calls waiting for the connection, in order
        self.connected = asyncio.Event()
        self._receiver: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._send_lock = asyncio.Lock()
        # One flusher at a time: two would send the same head call and pop two (one unsent).
        self._flush_lock = asyncio.Lock()

    # -- connection -----------------------------------------------------------------------

    async def connect(self) -> None:
        """Open the websocket (Basic auth when a password is set) and start receiving.

        Raises:
            OSError, websockets.exceptions.InvalidStatus: the central system refused or is down.
        """
        headers = {}
        if self.config.password is not None:
            token = base64.b64encode(f"{self.id}:{self.config.password}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        ws: ClientConnection = await connect(
            self.url,
            subprotocols=["ocpp1.6"],  # type: ignore[list-item]
            additional_headers=headers,
            compression=None,
            open_timeout=30,
            ping_interval=None,
            logger=LOG,  # whose DEBUG handshake trace hides the Authorization header
        )
        self._connection = ws
        self._receiver = asyncio.create_task(self._receive(ws))
        self.connected.set()

    async def disconnect(self) -> None:
        """Drop the connection (the charger stays on and keeps metering and buffering)."""
        self.connected.clear()
        ws = self._connection
        if ws is not None:
            await ws.close()
        if self._receiver is not None:
            await asyncio.gather(self._receiver, return_exceptions=True)

    async def close(self) -> None:
        """Disconnect and cancel background tasks."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.disconnect()

    async def _receive(self, ws: ClientConnection) -> None:
        try:
            await self.start()
        except ConnectionClosed:
            pass
        finally:
            if self._connection is ws:
                self.connected.clear()

    async def flush_outbox(self) -> int:
        """Send buffered calls in order; returns how many went out."""
        sent = 0
        async with self._flush_lock:
            while self.outbox and self.connected.is_set():
                if await self._deliver(self.outbox[0]) is None:
                    break
                self.outbox.popleft()
                sent += 1
        return sent

    # -- calls to the central system ------------------------------------------------------

    async def _deliver(self, payload: Any) -> Any:
        """One call; the result, or None when the connection failed."""
        async with self._send_lock:
            try:
                return await self.call(payload, suppress=False)
            except (ConnectionClosed, TimeoutError, OSError):
                self.connected.clear()
                return None

    async def send(self, payload: Any, *, buffered: bool = False) -> Any:
        """Send a call now; a `buffered` one waits in the outbox while offline.

        Returns the result, or None if it was buffered or dropped.

        Raises:
            OCPPError: the central system answered with a CALLERROR.
        """
        if buffered and self.outbox:
            self.outbox.append(payload)  # keep the order: older messages first
            await self.flush_outbox()
            return None
        if not self.connected.is_set():
            if buffered:
                self.outbox.append(payload)
            return None
        result = await self._deliver(payload)
        if result is None and buffered:
            self.outbox.append(payload)
        return result

    async def boot(self) -> Any:
        """Send BootNotification."""
        return await self.send(
            call.BootNotification(
                charge_point_vendor=self.config.vendor,
                charge_point_model=self.config.model,
                firmware_version="6.6.15" if self.config.wallbox_quirks else "1.0.0",
                meter_type=self.config.meter_type,
                meter_serial_number=None if self.config.wallbox_quirks else f"MID-{self.id}",
            )
        )

    async def heartbeat(self) -> Any:
        return await self.send(call.Heartbeat())

    async def notify_status(self, status: str) -> None:
        """Change the connector status and tell the central system."""
        self.status = status
        await self.send(
            call.StatusNotification(
                connector_id=CONNECTOR,
                error_code="NoError",
                status=status,
                timestamp=_iso(self.clock),
            )
        )

    async def plug_in(self) -> None:
        """A car is plugged in: Preparing, then (without Wallbox quirks) autostart."""
        self.plugged = True
        await self.notify_status("Preparing")
        if not self.config.wallbox_quirks:
            await self.start_transaction()

    async def start_transaction(self, id_tag: str | None = None) -> int | None:
        """Start charging: StartTransaction with the lifetime register; the transaction id."""
        if self.transaction_id is not None:
            return self.transaction_id
        self.meter.update()
        self.meter_start_wh = int(self.meter.register_wh)
        self._started_at = _iso(self.clock)
        self._reported = False
        result = await self.send(
            call.StartTransaction(
                connector_id=CONNECTOR,
                id_tag=id_tag or self.config.id_tag,
                meter_start=self.meter_start_wh,
                timestamp=self._started_at,
            )
        )
        if result is None:
            return None
        self.transaction_id = int(result.transaction_id)
        self._apply_power()
        await self.notify_status("Charging")
        return self.transaction_id

    def reading(self) -> Reading:
        """The true reading now (session-relative energy with `session_relative_register`)."""
        self.meter.update()
        self._apply_power()
        energy = self.meter.register_wh
        begin: float | None = None
        if self.transaction_id is not None:
            relative = self.config.session_relative_register
            begin = 0.0 if relative else float(self.meter_start_wh)
            if relative:
                energy -= self.meter_start_wh
        return Reading(
            timestamp=_iso(self.clock),
            register_wh=energy,
            power_w=self.meter.power_w,
            current_a=self.meter.power_w / (VOLTAGE_V * self.config.phases),
            phases=self.config.phases,
            voltage_v=VOLTAGE_V,
            offered_a=None if self.config.wallbox_quirks else self.limit_a,
            begin_register_wh=begin,
        )

    def meter_value(self) -> dict[str, Any]:
        """One plain `meterValue` element now."""
        return elements(self.reading())[0]

    async def send_meter_values(self) -> None:
        """Send one MeterValues (buffered while offline), in the real variants the config's
        `real_variants_rate` draws (see `chargebook.simulator.ocpp.variants`)."""
        variants = choose(self._variants_rng, self.config.real_variants_rate)
        reading = self.reading()
        in_transaction = self.transaction_id is not None
        if in_transaction and not self._reported and "spurious_zero" in variants:
            zero = replace(reading, timestamp=self._started_at, register_wh=0.0)
            await self._send_meter_values(elements(zero))
        self._reported = in_transaction
        await self._send_meter_values(elements(reading, variants))

    async def _send_meter_values(self, meter_value: list[dict[str, Any]]) -> None:
        await self.send(
            call.MeterValues(
                connector_id=CONNECTOR,
                transaction_id=self.transaction_id,
                meter_value=meter_value,
            ),
            buffered=self.transaction_id is not None,
        )

    async def stop_transaction(self, reason: str = "EVDisconnected") -> None:
        """Stop charging: StopTransaction with the lifetime register (buffered while offline)."""
        if self.transaction_id is None:
            return
        last = self.meter_value()
        self.meter.set_power(0.0)
        transaction_id, self.transaction_id = self.transaction_id, None
        await self.send(
            call.StopTransaction(
                meter_stop=int(self.meter.register_wh),
                timestamp=_iso(self.clock),
                transaction_id=transaction_id,
                reason=reason,
                transaction_data=[last],
            ),
            buffered=True,
        )
        await self.notify_status("Finishing" if self.plugged else "Available")

    async def unplug(self) -> None:
        """The car leaves: stop a running transaction, then Available."""
        self.plugged = False
        if self.transaction_id is not None:
            await self.stop_transaction("EVDisconnected")
        else:
            await self.notify_status("Available")

    def session_energy_wh(self) -> float:
        self.meter.update()
        return self.meter.register_wh - self.meter_start_wh if self.transaction_id else 0.0

    def _apply_power(self) -> None:
        charging = (
            self.transaction_id is not None
            and self.session_energy_wh_raw() < self.config.car_needs_wh
        )
        current = min(self.limit_a, self.config.max_current_a) if charging else 0.0
        power = current * VOLTAGE_V * self.config.phases
        if power != self.meter.power_w:
            self.meter.set_power(power)

    def session_energy_wh_raw(self) -> float:
        return self.meter.register_wh - self.meter_start_wh

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        """Run a call from a task, never inside a handler (it would wait for itself)."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- handlers (central system -> charge point) ----------------------------------------

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
