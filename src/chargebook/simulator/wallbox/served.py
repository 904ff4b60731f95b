"""The Wallbox Cloud simulator with its HTTP app: the state (`simulator.py`) behind the
FastAPI application (`app.py`) that serves it.

`app` is the FastAPI application; drive it in-process with `httpx.ASGITransport` or serve it
with uvicorn (see `chargebook.simulator.serve`).
"""

from __future__ import annotations

from fastapi import FastAPI

from chargebook.clock import Clock
from chargebook.simulator.wallbox.app import create_app
from chargebook.simulator.wallbox.config import SimulatorConfig
from chargebook.simulator.wallbox.simulator import SimulatedCloud


class WallboxSimulator(SimulatedCloud):
    """A faithful, deterministic Wallbox Cloud, served by `app`."""

    def __init__(self, config: SimulatorConfig | None = None, *, clock: Clock) -> None:
        super().__init__(config, clock=clock)
        self.app: FastAPI = create_app(self)
