"""The OCPP adapter: pause/resume as profiles through the central system's command methods,
read back from StatusNotification; the controller drives it like the Wallbox one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from chargebook.central_system.control import OcppControl
from chargebook.clock import FixedClock
from chargebook.domain.prices import ChargeGoal
from chargebook.domain.smart import EventKind
from chargebook.prices import FilePriceSource
from chargebook.smart import SmartController

from .helpers import LIMITS, local


@dataclass
class FakeChargePoint:
    connector_status: dict[int, str] = field(default_factory=lambda: {1: "Charging"})
    ocpp_version: str = "1.6"


class FakeCentral:
    """Follows profiles like a charger: 0 A suspends, more resumes (optionally late)."""

    def __init__(self) -> None:
        self.cp = FakeChargePoint()
        self.sent: list[float] = []

    def charge_point(self, charge_point_id: str) -> FakeChargePoint:
        return self.cp

    async def describe(self, charge_point_id: str) -> FakeChargePoint:
        return self.cp

    async def set_current(
        self, charge_point_id: str, amps: float, *, connector_id: int = 1
    ) -> bool:
        self.sent.append(amps)
        self.cp.connector_status[connector_id] = "SuspendedEVSE" if amps == 0 else "Charging"
        return True

    async def pause(self, charge_point_id: str, *, connector_id: int = 1) -> bool:
        return await self.set_current(charge_point_id, 0.0, connector_id=connector_id)

    async def resume(
        self, charge_point_id: str, amps: float | None = None, *, connector_id: int = 1
    ) -> bool:
        return await self.set_current(charge_point_id, amps or 32.0, connector_id=connector_id)

    async def reset(self, charge_point_id: str, *, hard: bool = False) -> None:
        self.sent.append(-1.0)


class FakeMeter:
    """7 kW while the connector is Charging, integrated over the clock."""

    def __init__(self, central: FakeCentral, clock: FixedClock) -> None:
        self._central, self._clock = central, clock
        self._energy_kwh, self._last = 0.0, clock.now()

    async def live(self, charge_point_id: str) -> tuple[float, float]:
        now = self._clock.now()
        charging = self._central.cp.connector_status[1] == "Charging"
        if charging:
            self._energy_kwh += 7.0 * (now - self._last).total_seconds() / 3600
        self._last = now
        return (7.0 if charging else 0.0), self._energy_kwh


async def test_the_controller_pauses_and_resumes_an_ocpp_charger_with_profiles(
    prices: FilePriceSource,
) -> None:
    clock = FixedClock(local(16, 20, 30))
    central = FakeCentral()
    charger = OcppControl(central, FakeMeter(central, clock), clock)
    smart = SmartController("CP-1", charger, prices, clock, limits=LIMITS)
    smart.set_goal(ChargeGoal(energy_kwh=10.0, departure=local(17, 6, 45)))
    await smart.run_until(local(17, 7, 0))

    assert central.sent[0] == 0.0  # paused at once in the expensive evening
    assert max(central.sent) > 0.0
    kinds = [e.kind for e in smart.events]
    assert EventKind.GOAL_REACHED in kinds
    assert EventKind.WRITE_UNCONFIRMED not in kinds
    reached = next(e.at for e in smart.events if e.kind is EventKind.GOAL_REACHED)
    assert reached < local(17, 6, 45) + timedelta(minutes=1)
