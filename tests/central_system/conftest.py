"""A running central system on a free loopback port, with a registered charger, per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from chargebook.central_system import CentralSystem
from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.settings import Settings

from .helpers import CP_ID, register


@pytest.fixture
async def central(database: Database, clock: FixedClock) -> AsyncIterator[CentralSystem]:
    register(database, clock, CP_ID)
    system = CentralSystem(
        Settings(), database, clock=clock, response_timeout_s=2.0, auto_remote_start=True
    )
    system.port = await system.start("127.0.0.1", 0)  # type: ignore[attr-defined]
    yield system
    await system.close()
