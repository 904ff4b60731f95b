"""The Easee Cloud simulator with its HTTP app: the state (`simulator.py`) behind the
FastAPI application (`app.py`). Drive `app` in-process with `httpx.ASGITransport` or serve
it with uvicorn (`chargebook.simulator.serve.ServedApp`)."""

from __future__ import annotations

from fastapi import FastAPI

from chargebook.clock import Clock
from chargebook.simulator.easee.app import create_app
from chargebook.simulator.easee.config import SimulatorConfig
from chargebook.simulator.easee.simulator import SimulatedEasee


class EaseeSimulator(SimulatedEasee):
    """A faithful, deterministic Easee Cloud, served by `app`."""

    def __init__(self, config: SimulatorConfig | None = None, *, clock: Clock) -> None:
        super().__init__(config, clock=clock)
        self.app: FastAPI = create_app(self)
