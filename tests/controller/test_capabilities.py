"""The controller sets the current only where the charger's system can: a system without
current control is steered by pause and resume alone, never sent a current."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chargebook.clock import FixedClock
from chargebook.domain.control import ControlCapabilities, ControlFeature
from chargebook.domain.models import ChargerStatus
from chargebook.domain.prices import ChargeGoal
from chargebook.prices import FilePriceSource
from chargebook.smart import SmartController

from .helpers import LIMITS, QUARTER_FILE, local
from .test_plan_options import FakeCharger


class LimitedCharger(FakeCharger):
    """Reports a 10 A limit (below the charger's 16 A), so steering wants to raise it."""

    def __init__(self, clock: FixedClock, features: frozenset[ControlFeature]) -> None:
        super().__init__(clock)
        self.features = features
        self.currents: list[int] = []

    def capabilities(self, charger_id: str) -> ControlCapabilities:
        return ControlCapabilities("Limited", self.features)

    async def read(self, charger_id: str) -> ChargerStatus:
        status = await super().read(charger_id)
        return ChargerStatus(**{**_fields(status), "max_charging_current_a": 10})

    async def set_current(self, charger_id: str, amps: int) -> None:
        self.currents.append(amps)

    async def set_energy_price(self, charger_id: str, price_per_kwh: Decimal) -> None:
        return None


def _fields(status: ChargerStatus) -> dict[str, object]:
    return {name: getattr(status, name) for name in ChargerStatus.__dataclass_fields__}


@pytest.mark.parametrize("with_current", [True, False])
async def test_the_current_is_set_only_where_the_system_can(with_current: bool) -> None:
    features = frozenset(ControlFeature)
    if not with_current:
        features -= {ControlFeature.CURRENT}
    clock = FixedClock(local(17, 5, 0))
    charger = LimitedCharger(clock, features)
    smart = SmartController("1", charger, FilePriceSource(QUARTER_FILE), clock, limits=LIMITS)
    smart.set_goal(ChargeGoal(energy_kwh=5.0, departure=local(17, 6, 45)))
    await smart.run_until(local(17, 6, 45))
    assert bool(charger.currents) is with_current
    assert all(amps > 10 for amps in charger.currents)
