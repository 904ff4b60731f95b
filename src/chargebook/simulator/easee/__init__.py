"""Faithful Easee Cloud simulator (reference: /work/shared/reference/charger-clouds.md §2).

sim = EaseeSimulator(SimulatorConfig(seed=1), clock=FixedClock(...))
httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app), base_url="http://easee")

The community client `pyeasee` works against it unchanged once its `base` attribute names the
simulator's URL (see tests/simulator/easee/test_pyeasee_contract.py).
"""

from chargebook.simulator.easee.config import FAULT_KINDS, REFRESH_EXPIRED, SimulatorConfig
from chargebook.simulator.easee.fleet import DEMO_EMAIL, DEMO_PASSWORD, SimAccount, SimCharger
from chargebook.simulator.easee.ratelimit import BLOCKED_TEXT
from chargebook.simulator.easee.served import EaseeSimulator
from chargebook.simulator.easee.simulator import RequestRecord

__all__ = [
    "BLOCKED_TEXT",
    "DEMO_EMAIL",
    "DEMO_PASSWORD",
    "FAULT_KINDS",
    "REFRESH_EXPIRED",
    "EaseeSimulator",
    "RequestRecord",
    "SimAccount",
    "SimCharger",
    "SimulatorConfig",
]
