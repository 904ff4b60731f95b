"""One rig per `ChargerControl` adapter: the adapter wired to its system's simulator, a car
charging on the charger, and the simulator's ground truth to check commands against.

A new brand adds one rig here (its adapter against its simulator) and one line in `RIGS`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx

from chargebook.central_system import CentralSystem, hash_secret
from chargebook.charger_controls import ChargerControls
from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database
from chargebook.db.ocpp.chargers import OcppChargerRepository
from chargebook.domain.models import ChargerSource
from chargebook.domain.ports import ChargerControl
from chargebook.settings import Settings
from chargebook.simulator.ocpp import (
    AnyChargePoint,
    ChargePointConfig,
    SimulatedStation201,
    simulated_charge_point,
)
from chargebook.simulator.wallbox import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    SimulatorConfig,
    WallboxSimulator,
)
from chargebook.wallbox import MemoryTokenStore, RequestBudget, WallboxClient
from chargebook.wallbox.control import WallboxControl

# Seed 1, demo account: a Copper SB whose car arrives 16 Dec 2025 20:34 local and draws
# 6.72 kW (as in the controller tests).
SEED = 1
CHARGER = 2595103
SIM_URL = "http://wallbox.test"
START = datetime(2025, 12, 16, 21, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


@dataclass
class Rig:
    """An adapter and its charger (a car plugged in and charging), with ground truth."""

    control: ChargerControl
    charger_id: str
    unknown_id: str  # a charger the system does not know
    limit_a: Callable[[], float]  # the current limit the charger applies now
    locked: Callable[[], bool]  # the charger's lock as the simulator holds it
    restarted: Callable[[], bool]  # the charger has begun a restart


@asynccontextmanager
async def wallbox_rig(database: Database) -> AsyncIterator[Rig]:
    """`WallboxControl` over the real client against the Wallbox simulator (seed 1: a car
    charging at 6.72 kW on 16 Dec at 21:00 local), with the real budget (5 writes a minute)."""
    clock = FixedClock(START)
    sim = WallboxSimulator(SimulatorConfig(seed=SEED, days=1), clock=clock)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sim.app), base_url=SIM_URL
    ) as http:
        client = WallboxClient(
            DEMO_EMAIL, DEMO_PASSWORD, api_url=SIM_URL, auth_url=SIM_URL, http_client=http,
            clock=clock, token_store=MemoryTokenStore(),
            budget=RequestBudget(reads_per_minute=3, writes_per_minute=5, clock=clock),
        )  # fmt: skip
        state = sim.state(CHARGER)
        yield Rig(
            control=WallboxControl(client),
            charger_id=str(CHARGER),
            unknown_id="999999",
            limit_a=lambda: float(state.controls_at(clock.now()).current_a),
            locked=lambda: state.controls_at(clock.now()).locked,
            restarted=lambda: state.controls_at(clock.now()).reboot_at is not None,
        )


SECRET = "contract-secret-0123456789"


@asynccontextmanager
async def ocpp_rig(database: Database, version: str = "1.6") -> AsyncIterator[Rig]:
    """`OcppControl` from the composition (`ChargerControls.use_central_system`) over the
    central system, with the OCPP charge point simulator (speaking `version`) connected, a
    car charging and one meter reading recorded in the book."""
    clock = FixedClock(START)
    with database.transaction() as session:
        OcppChargerRepository(session, clock).register("SIM-1", secret_hash=hash_secret(SECRET))
    async with AsyncExitStack() as stack:
        central = CentralSystem(Settings(), database, clock=clock, response_timeout_s=2.0)
        port = await central.start("127.0.0.1", 0)
        stack.push_async_callback(central.close)
        config = ChargePointConfig(password=SECRET, response_timeout_s=2.0, ocpp_version=version)
        cp = simulated_charge_point(f"ws://127.0.0.1:{port}/SIM-1", config, clock)
        stack.push_async_callback(cp.close)
        await cp.connect()
        await cp.boot()
        await cp.plug_in()
        async with asyncio.timeout(3.0):
            while cp.transaction_id is None or _state(cp) != "Charging":  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        clock.advance(60)
        await cp.send_meter_values()
        with database.session() as session:
            stored = ChargerRepository(session, clock).find(ChargerSource.OCPP, "SIM-1")
        assert stored is not None
        controls = ChargerControls()
        controls.use_central_system(central, database, clock)
        first_transaction = cp.transaction_id  # a Reset ends it (the charger reboots)
        yield Rig(
            control=controls.for_charger(stored),
            charger_id="SIM-1",
            unknown_id="NOT-CONNECTED",
            limit_a=lambda: 0.0 if getattr(cp, "paused", False) else cp.limit_a,
            locked=lambda: False,  # OCPP has no lock here (the suite checks the refusal)
            restarted=lambda: cp.transaction_id != first_transaction,
        )


def _state(cp: AnyChargePoint) -> str:
    # 1.6: the connector status; 2.0.1: the transaction's charging state.
    return cp.charging_state if isinstance(cp, SimulatedStation201) else cp.status


def ocpp201_rig(database: Database) -> AbstractAsyncContextManager[Rig]:
    """The same adapter over an OCPP 2.0.1 station (pause = a TxProfile of 0 A)."""
    return ocpp_rig(database, "2.0.1")


# The seam: one line per adapter.
RIGS: dict[str, Callable[[Database], AbstractAsyncContextManager[Rig]]] = {
    "wallbox": wallbox_rig,
    "ocpp": ocpp_rig,
    "ocpp201": ocpp201_rig,
}
