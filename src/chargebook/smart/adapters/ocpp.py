"""`SmartCharger` over chargebook's OCPP 1.6J central system.

Pause, resume and current are one TxDefaultProfile (pause = 0 A, the transaction stays open),
sent by `central_system.commands.ChargePointCommands`, which never resends an identical
profile. The read-back is the connector's last StatusNotification (`SuspendedEVSE` = paused
by us, `Charging` = drawing) plus live power and session energy from a `LiveMeter` (the
composition root wires it to the recorded MeterValues). A status lags the command by one
notification, which is what the controller's confirm delay and bounded retries are for.
"""

from __future__ import annotations

from typing import Protocol

from chargebook.clock import Clock
from chargebook.domain.smart import ChargerReading

_CONNECTED = frozenset({"Preparing", "Charging", "SuspendedEV", "SuspendedEVSE", "Finishing"})


class _ConnectorStatus(Protocol):
    connector_status: dict[int, str]


class OcppCommandService(Protocol):
    """What the adapter needs of `central_system.CentralSystem`."""

    def charge_point(self, charge_point_id: str) -> _ConnectorStatus: ...

    async def set_current(
        self, charge_point_id: str, amps: float, *, connector_id: int = 1
    ) -> bool: ...

    async def pause(self, charge_point_id: str, *, connector_id: int = 1) -> bool: ...

    async def resume(
        self, charge_point_id: str, amps: float | None = None, *, connector_id: int = 1
    ) -> bool: ...


class LiveMeter(Protocol):
    """Latest power (kW) and energy of the open transaction (kWh) of a charge point."""

    async def live(self, charge_point_id: str) -> tuple[float, float]: ...


class OcppSmartCharger:
    """Adapts the central system for one connector per charge point (connector 1)."""

    def __init__(
        self, central: OcppCommandService, meter: LiveMeter, clock: Clock, *, connector_id: int = 1
    ) -> None:
        self._central = central
        self._meter = meter
        self._clock = clock
        self._connector_id = connector_id
        self._limit_a: dict[str, float] = {}

    async def read(self, charger_id: str) -> ChargerReading:
        """Raises `ChargePointNotConnectedError` when the charger is offline."""
        status = self._central.charge_point(charger_id).connector_status.get(self._connector_id)
        power_kw, energy_kwh = await self._meter.live(charger_id)
        return ChargerReading(
            charger_id=charger_id,
            observed_at=self._clock.now(),
            car_connected=status in _CONNECTED,
            charging=status == "Charging",
            paused=status == "SuspendedEVSE",
            power_kw=power_kw,
            session_energy_kwh=energy_kwh,
            current_limit_a=None,  # a charger does not report its profile; see set_current
        )

    async def set_charging(self, charger_id: str, on: bool) -> None:
        if on:
            await self._central.resume(
                charger_id, self._limit_a.get(charger_id), connector_id=self._connector_id
            )
        else:
            await self._central.pause(charger_id, connector_id=self._connector_id)

    async def set_current(self, charger_id: str, amps: int) -> None:
        self._limit_a[charger_id] = float(amps)
        await self._central.set_current(charger_id, float(amps), connector_id=self._connector_id)
