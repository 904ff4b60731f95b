"""A faithful Zaptec cloud simulator (reference: /work/shared/reference/charger-clouds.md §3).

    sim = ZaptecSimulator(ZaptecSimConfig(seed=1), clock=FixedClock(...))
    httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app), base_url="http://zaptec")

Paths, casing and paging as the real API and its community clients use them: `POST
/oauth/token` (password grant), `GET /api/chargers` and `/api/chargehistory` (`{"Pages",
"Data"}`, `PageIndex`/`PageSize`), `GET /api/chargers/{id}/state` (StateIds), `POST
/api/chargers/{id}/sendCommand/{command}` and `/update`. The first account is
demo@example.com / demo-password; guest@example.com / guest-password is a user (not owner)
of its installation.
"""

from chargebook.simulator.zaptec.config import FAULT_KINDS, ZaptecSimConfig
from chargebook.simulator.zaptec.fleet import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    GUEST_EMAIL,
    GUEST_PASSWORD,
    SimAccount,
    SimCharger,
)
from chargebook.simulator.zaptec.served import ZaptecSimulator
from chargebook.simulator.zaptec.simulator import RequestRecord

__all__ = [
    "DEMO_EMAIL",
    "DEMO_PASSWORD",
    "FAULT_KINDS",
    "GUEST_EMAIL",
    "GUEST_PASSWORD",
    "RequestRecord",
    "SimAccount",
    "SimCharger",
    "ZaptecSimConfig",
    "ZaptecSimulator",
]
