"""`OcppControl`: the `ChargerControl` port over chargebook's OCPP central system, for 1.6J
and 2.0.1 chargers alike (the central system speaks each one's version: for 2.0.1 pause is a
TxProfile of 0 A, resume clears it, see `central_system.v201.commands`; the 2.0.1 station's
state is kept in the 1.6 vocabulary, see `central_system.v201.status`).

Pause, resume and current are one TxDefaultProfile (pause = 0 A, the transaction stays open),
sent by `central_system.commands.ChargePointCommands`, which never resends an identical
profile; resume goes back to the last limit before the pause. Restart is a soft Reset. OCPP
1.6 has no command to lock a charger against use (UnlockConnector only releases a stuck
cable) and no energy price: `capabilities` says so and those methods raise
`ControlNotSupportedError`.

The live state is the connector's last StatusNotification (`SuspendedEVSE` = paused by us,
`Charging` = drawing) plus power and session energy from a `LiveMeter` (the composition root
wires it to the recorded MeterValues). A status lags a command by one notification, which
is what the smart controller's confirm delay and bounded retries are for.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from chargebook.central_system.exceptions import ChargePointNotConnectedError
from chargebook.clock import Clock
from chargebook.domain.control import ControlCapabilities, ControlFeature
from chargebook.domain.models import ChargerStatus, MidMeter
from chargebook.domain.ocpp import charger_state_of

CAPABILITIES = ControlCapabilities(
    system="OCPP 1.6",
    features=frozenset(
        {ControlFeature.PAUSE_RESUME, ControlFeature.CURRENT, ControlFeature.RESTART}
    ),
    # Power and energy are the last recorded MeterValues, not a reading taken now.
    live_reading=False,
    # A charger does not report its charging profile back.
    reports_current_limit=False,
    reasons={
        ControlFeature.LOCK: "OCPP 1.6 chargers cannot be locked or unlocked from chargebook "
        "(OCPP 1.6 has no such command; UnlockConnector only releases a stuck cable)",
        ControlFeature.ENERGY_PRICE: "OCPP 1.6 chargers cannot take an energy price",
    },
)

CAPABILITIES_201 = ControlCapabilities(
    system="OCPP 2.0.1",
    features=CAPABILITIES.features,
    live_reading=False,
    reports_current_limit=False,
    reasons={
        ControlFeature.LOCK: "OCPP 2.0.1 chargers cannot be locked or unlocked from chargebook "
        "yet (UnlockConnector only releases a stuck cable)",
        ControlFeature.ENERGY_PRICE: "OCPP 2.0.1 chargers cannot take an energy price from "
        "chargebook",
    },
)

_CONNECTED = frozenset({"Preparing", "Charging", "SuspendedEV", "SuspendedEVSE", "Finishing"})


class _ConnectorStatus(Protocol):
    connector_status: dict[int, str]
    ocpp_version: str


class OcppCommandService(Protocol):
    """What the adapter needs of `central_system.CentralSystem`."""

    def charge_point(self, charge_point_id: str) -> _ConnectorStatus: ...

    async def describe(self, charge_point_id: str) -> _ConnectorStatus:
        """The charge point's state, asked of the process that holds it (`cluster`)."""

    async def set_current(
        self, charge_point_id: str, amps: float, *, connector_id: int = 1
    ) -> bool: ...

    async def pause(self, charge_point_id: str, *, connector_id: int = 1) -> bool: ...

    async def resume(
        self, charge_point_id: str, amps: float | None = None, *, connector_id: int = 1
    ) -> bool: ...

    async def reset(self, charge_point_id: str, *, hard: bool = False) -> None: ...


class LiveMeter(Protocol):
    """Latest power (kW) and energy of the open transaction (kWh) of a charge point."""

    async def live(self, charge_point_id: str) -> tuple[float, float]: ...


class OcppControl:
    """Adapts the central system, one connector per charge point (connector 1); the charger
    id is the charge point id. Errors: `ChargePointNotConnectedError` (offline),
    `CommandRejectedError`, `CommandTimeoutError`, `ControlNotSupportedError`."""

    def __init__(
        self, central: OcppCommandService, meter: LiveMeter, clock: Clock, *, connector_id: int = 1
    ) -> None:
        self._central = central
        self._meter = meter
        self._clock = clock
        self._connector_id = connector_id

    def capabilities(self, charger_id: str) -> ControlCapabilities:
        try:
            version = self._central.charge_point(charger_id).ocpp_version
        except ChargePointNotConnectedError:
            return CAPABILITIES  # what 1.6 and 2.0.1 share; the version is known once online
        return CAPABILITIES_201 if version == "2.0.1" else CAPABILITIES

    async def read(self, charger_id: str) -> ChargerStatus:
        described = await self._central.describe(charger_id)
        status = described.connector_status.get(self._connector_id)
        power_kw, energy_kwh = await self._meter.live(charger_id)
        return ChargerStatus(
            charger_external_id=charger_id,
            observed_at=self._clock.now(),
            state=charger_state_of(status),
            status_code=None,
            car_connected=status in _CONNECTED,
            charging_power_kw=power_kw,
            session_energy_kwh=energy_kwh,
            session_duration_s=None,
            discharged_energy_kwh=0.0,
            locked=None,
            max_charging_current_a=None,
            max_available_current_a=None,
            icp_max_current_a=None,
            energy_price_per_kwh=None,
            currency=None,
            firmware_version=None,
            firmware_update_available=False,
            eco_smart=None,
            mid=MidMeter(enabled=False),
        )

    async def set_charging(self, charger_id: str, on: bool) -> None:
        if on:
            await self._central.resume(charger_id, connector_id=self._connector_id)
        else:
            await self._central.pause(charger_id, connector_id=self._connector_id)

    async def set_current(self, charger_id: str, amps: int) -> None:
        await self._central.set_current(charger_id, float(amps), connector_id=self._connector_id)

    async def set_locked(self, charger_id: str, locked: bool) -> None:
        self.capabilities(charger_id).require(ControlFeature.LOCK)

    async def restart(self, charger_id: str) -> None:
        await self._central.reset(charger_id)

    async def set_energy_price(self, charger_id: str, price_per_kwh: Decimal) -> None:
        self.capabilities(charger_id).require(ControlFeature.ENERGY_PRICE)


if TYPE_CHECKING:
    from chargebook.central_system.cluster.routed import RoutedCommands
    from chargebook.central_system.server import CentralSystem
    from chargebook.domain.ports import ChargerControl

    def _implements_port(control: OcppControl) -> ChargerControl:
        return control  # mypy proves the adapter satisfies the port

    def _central_system_fits(central: CentralSystem) -> OcppCommandService:
        return central  # and that the real central system is what the adapter needs

    def _routed_fits(routed: RoutedCommands) -> OcppCommandService:
        return routed  # and the cluster's routed service (`cluster.routed`)
