"""Faithful Peblar charger simulator (reference: charger-clouds.md §7; shapes as python-peblar
and Home Assistant's recorded fixtures show them).

A Peblar is one charger on the home network with two HTTP APIs on one origin: the web API
(`/api/v1/`, password login and session cookie; the meter log) and the documented local REST
API (`/api/wlac/v1/`, raw API token in `Authorization`; live meter and EV interface).

    sim = PeblarSimulator(PeblarSimConfig(seed=1), clock=FixedClock(...))
    httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app), base_url="http://peblar")
"""

from chargebook.simulator.peblar.config import FAULT_KINDS, VARIANTS, PeblarSimConfig
from chargebook.simulator.peblar.served import PeblarSimulator

DEMO_WEB_PASSWORD = "demo-password"  # noqa: S105 (a published demo credential)

__all__ = ["DEMO_WEB_PASSWORD", "FAULT_KINDS", "VARIANTS", "PeblarSimConfig", "PeblarSimulator"]
