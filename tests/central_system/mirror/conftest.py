"""Mirror tests: a real upstream central system (`upstream.py`) and chargebook's central system
with one registered charger mirrored to it, in the mode the test asks for."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from cryptography.fernet import Fernet

from chargebook.central_system import CentralSystem
from chargebook.central_system.mirror import Backoff, MirrorHub, set_upstream
from chargebook.clock import FixedClock
from chargebook.crypto import SecretBox
from chargebook.db import Database
from chargebook.domain.ocpp_upstream import UpstreamMode
from chargebook.settings import Settings

from ..helpers import CP_ID, register
from .upstream import Upstream, eventually
from .upstream201 import Upstream201

UPSTREAM_PASSWORD = "upstream-secret-Ab12"

MirroredCentral = Callable[[UpstreamMode], Awaitable[CentralSystem]]


@pytest.fixture
def box() -> SecretBox:
    return SecretBox(Fernet.generate_key())


@pytest.fixture
async def upstream() -> AsyncIterator[Upstream]:
    running = Upstream()
    await running.start()
    yield running
    if running.server is not None:
        running.server.close()


@pytest.fixture
async def upstream201() -> AsyncIterator[Upstream201]:
    """A bare `ocpp`-library OCPP 2.0.1 central system as the upstream."""
    running = Upstream201()
    await running.start()
    yield running
    if running.server is not None:
        running.server.close()


@pytest.fixture
async def mirrored_central(
    database: Database, clock: FixedClock, box: SecretBox, upstream: Upstream
) -> AsyncIterator[MirroredCentral]:
    async with _mirrored(database, clock, box, upstream) as make:
        yield make


@pytest.fixture
async def mirrored_central201(
    database: Database, clock: FixedClock, box: SecretBox, upstream201: Upstream201
) -> AsyncIterator[MirroredCentral]:
    """As `mirrored_central`, mirrored to the 2.0.1 upstream."""
    async with _mirrored(database, clock, box, upstream201) as make:
        yield make


@contextlib.asynccontextmanager
async def _mirrored(
    database: Database, clock: FixedClock, box: SecretBox, upstream: Upstream
) -> AsyncIterator[MirroredCentral]:
    systems: list[CentralSystem] = []

    async def make(mode: UpstreamMode) -> CentralSystem:
        """A central system (a second call: the same book after a restart)."""
        if not systems:
            register(database, clock, CP_ID)
            set_upstream(
                database, box, clock, CP_ID, url=upstream.url, mode=mode, password=UPSTREAM_PASSWORD
            )
        hub = MirrorHub(
            database,
            lambda: box,
            response_timeout_s=3.0,
            answer_timeout_s=2.0,
            lookup_ttl_s=0.0,
            detach_grace_s=0.2,
            backoff=Backoff(first_s=0.05, max_s=0.2),
        )
        system = CentralSystem(
            Settings(), database, clock=clock, response_timeout_s=3.0, mirrors=hub
        )
        system.port = await system.start("127.0.0.1", 0)  # type: ignore[attr-defined]
        systems.append(system)
        return system

    try:
        yield make
    finally:
        for system in systems:
            await system.close()


async def wait_linked(central: CentralSystem, cp_id: str = CP_ID) -> None:
    """Until the charger's upstream link is up (the first frames then reach it at once)."""
    mirrors = central.mirrors
    assert mirrors is not None

    def linked() -> bool:
        link = mirrors.link(cp_id)
        return link is not None and link.connected.is_set()

    await eventually(linked)
