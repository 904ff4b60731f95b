"""Faithful Wallbox Cloud simulator (reference: /work/shared/reference/wallbox-cloud-api.md).

sim = WallboxSimulator(SimulatorConfig(seed=1, accounts=3), clock=FixedClock(...))
httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app), base_url="http://wallbox")
"""

from chargebook.simulator.wallbox.config import FAULT_KINDS, REVOKED_REFRESH, SimulatorConfig
from chargebook.simulator.wallbox.fleet import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    GUEST_EMAIL,
    GUEST_PASSWORD,
    SimAccount,
    SimCharger,
)
from chargebook.simulator.wallbox.served import WallboxSimulator
from chargebook.simulator.wallbox.simulator import RequestRecord

__all__ = [
    "DEMO_EMAIL",
    "DEMO_PASSWORD",
    "FAULT_KINDS",
    "GUEST_EMAIL",
    "GUEST_PASSWORD",
    "REVOKED_REFRESH",
    "RequestRecord",
    "SimAccount",
    "SimCharger",
    "SimulatorConfig",
    "WallboxSimulator",
]
