"""A simulated charger behind the `ChargerControl` port: commands change its state and the
next read shows it (what a Wallbox or OCPP charger does, without their budgets and wires)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from chargebook.domain.control import ControlCapabilities, ControlFeature
from chargebook.domain.models import ChargerState, ChargerStatus, MidMeter
from chargebook.domain.ports import ChargerControl
from chargebook.domain.stored import StoredCharger

VOLTS_3_PHASE = 3 * 230


class SimulatedCharger:
    """A car charging at `current_a` on three phases until paused; `sent` records commands."""

    def __init__(self, current_a: int = 16) -> None:
        self.charging = True
        self.current_a = current_a
        self.locked = False
        self.energy_kwh = 4.25
        self.sent: list[tuple[str, str, object]] = []

    def capabilities(self, charger_id: str) -> ControlCapabilities:
        return ControlCapabilities(
            system="Simulated", features=frozenset(ControlFeature), live_reading=True
        )

    async def read(self, charger_id: str) -> ChargerStatus:
        power_kw = VOLTS_3_PHASE * self.current_a / 1000 if self.charging else 0.0
        return ChargerStatus(
            charger_external_id=charger_id,
            observed_at=datetime.now(UTC),
            state=ChargerState.CHARGING if self.charging else ChargerState.PAUSED,
            status_code=None,
            car_connected=True,
            charging_power_kw=power_kw,
            session_energy_kwh=self.energy_kwh,
            session_duration_s=3600,
            discharged_energy_kwh=0.0,
            locked=self.locked,
            max_charging_current_a=self.current_a,
            max_available_current_a=32,
            icp_max_current_a=None,
            energy_price_per_kwh=None,
            currency=None,
            firmware_version="6.6.14",
            firmware_update_available=False,
            eco_smart=None,
            mid=MidMeter(enabled=True),
        )

    async def set_charging(self, charger_id: str, on: bool) -> None:
        self.sent.append((charger_id, "resume" if on else "pause", None))
        self.charging = on

    async def set_current(self, charger_id: str, amps: int) -> None:
        self.sent.append((charger_id, "current", amps))
        self.current_a = amps

    async def set_locked(self, charger_id: str, locked: bool) -> None:
        self.sent.append((charger_id, "lock" if locked else "unlock", None))
        self.locked = locked

    async def restart(self, charger_id: str) -> None:
        self.sent.append((charger_id, "restart", None))

    async def set_energy_price(self, charger_id: str, price_per_kwh: Decimal) -> None:
        self.sent.append((charger_id, "energy-price", price_per_kwh))

    def factory(self, charger: StoredCharger) -> ChargerControl:
        return self
