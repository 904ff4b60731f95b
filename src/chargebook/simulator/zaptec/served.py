"""The Zaptec cloud simulator with its HTTP app (`app`): drive it in-process with
`httpx.ASGITransport` or serve it with uvicorn (`chargebook simulator zaptec`)."""

from __future__ import annotations

from starlette.types import ASGIApp

from chargebook.clock import Clock
from chargebook.simulator.zaptec.app import create_app
from chargebook.simulator.zaptec.config import ZaptecSimConfig
from chargebook.simulator.zaptec.simulator import ZaptecCloud


class ZaptecSimulator(ZaptecCloud):
    """A faithful, deterministic Zaptec cloud, served by `app`."""

    def __init__(self, config: ZaptecSimConfig | None = None, *, clock: Clock) -> None:
        super().__init__(config, clock=clock)
        self.app: ASGIApp = create_app(self)
