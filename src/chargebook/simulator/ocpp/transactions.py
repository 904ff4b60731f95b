"""The simulated charger itself, over its link (`link`): boot, heartbeat and status, a car
plugged in and out, at most one transaction on connector 1 (StartTransaction, MeterValues in
the real variants, StopTransaction, buffered while offline), and the lifetime meter whose power
follows the transaction, the car's need and the current limit. Step methods (`plug_in`,
`send_meter_values`, ...) make tests deterministic; `chargebook.simulator.ocpp.runner` drives
them in time for the CLI, demo and benchmarks.
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

from ocpp.v16 import call

from chargebook.clock import Clock
from chargebook.simulator.ocpp.link import ChargePointLink
from chargebook.simulator.ocpp.model import VOLTAGE_V, ChargePointConfig, Meter
from chargebook.simulator.ocpp.variants import Reading, choose, elements

CONNECTOR = 1


def _iso(clock: Clock) -> str:
    return clock.now().isoformat().replace("+00:00", "Z")


class TransactingChargePoint(ChargePointLink):
    """A charger with one connector, its meter and its transactions."""

    def __init__(self, url: str, config: ChargePointConfig, clock: Clock) -> None:
        super().__init__(url, config)
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
