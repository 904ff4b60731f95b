"""A central system on a free loopback port with registered chargers, and simulated charge
points pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from chargebook.central_system import CentralSystem, hash_secret
from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.db.ocpp.chargers import OcppChargerRepository
from chargebook.settings import Settings
from chargebook.simulator.ocpp import ChargePointConfig, SimulatedChargePoint

SECRET = "simulated-secret-0123456789"


@pytest.fixture
async def central(database: Database, clock: FixedClock) -> AsyncIterator[CentralSystem]:
    with database.transaction() as session:
        repository = OcppChargerRepository(session, clock)
        secret_hash = hash_secret(SECRET)
        for cp_id in ("SIM-1", "WB-1"):
            repository.register(cp_id, secret_hash=secret_hash)
    system = CentralSystem(Settings(), database, clock=clock, response_timeout_s=2.0)
    system.port = await system.start("127.0.0.1", 0)  # type: ignore[attr-defined]
    yield system
    await system.close()


MakeChargePoint = Callable[..., SimulatedChargePoint]


@pytest.fixture
async def make_cp(central: CentralSystem, clock: FixedClock) -> AsyncIterator[MakeChargePoint]:
    made: list[SimulatedChargePoint] = []

    def make(cp_id: str = "SIM-1", **options: object) -> SimulatedChargePoint:
        config = ChargePointConfig(password=SECRET, response_timeout_s=2.0, **options)  # type: ignore[arg-type]
        url = f"ws://127.0.0.1:{central.port}/{cp_id}"  # type: ignore[attr-defined]
        cp = SimulatedChargePoint(url, config, clock)
        made.append(cp)
        return cp

    yield make
    for cp in made:
        await cp.close()
