"""`PeblarSimulator`: the simulated charger and the FastAPI app that serves both its APIs."""

from __future__ import annotations

from fastapi import FastAPI

from chargebook.clock import Clock
from chargebook.simulator.peblar.charger import SimulatedCharger
from chargebook.simulator.peblar.config import PeblarSimConfig
from chargebook.simulator.peblar.gate import Gate
from chargebook.simulator.peblar.rest import rest_router
from chargebook.simulator.peblar.web import web_router


class PeblarSimulator(SimulatedCharger):
    """A faithful, deterministic Peblar charger, served by `app` (web and REST API on one
    origin, as on the real charger)."""

    def __init__(self, config: PeblarSimConfig | None = None, *, clock: Clock) -> None:
        super().__init__(config or PeblarSimConfig(), clock=clock)
        self.gate = Gate(self)
        self.app = FastAPI(title="Peblar charger simulator", openapi_url=None)
        self.app.include_router(web_router(self.gate))
        self.app.include_router(rest_router(self.gate))
