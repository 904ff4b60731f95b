"""The demos' OCPP charger: registered to the demo owner, served by a central system on a free
loopback port, and driven by one simulated charge point through a short transaction.

`chargebook demo` (CLI) and the served web demo both use it, so an OCPP session lands in the
book next to the Wallbox ones through the real path: websockets, Basic auth, the `ocpp`
library, the group-commit writer and the session upsert.

    password = register_demo_charge_point(database, clock, owner_user_id=7)
    async with CentralSystem(settings, database, clock=clock) as central:
        port = await central.start("127.0.0.1", 0)
        cp, result = await charge_once(demo_url(port), password, FixedClock(start))
        await cp.close()
"""

from __future__ import annotations

from dataclasses import dataclass

from chargebook.central_system.auth import issue_secret
from chargebook.central_system.exceptions import CentralSystemError
from chargebook.clock import Clock
from chargebook.db import Database
from chargebook.db.ocpp.chargers import OcppChargerRepository
from chargebook.simulator.ocpp import AnyChargePoint, ChargePointConfig, simulated_charge_point

DEMO_CHARGE_POINT_ID = "DEMO-OCPP-1"
# Five simulated minutes between readings; eight readings draw a 40-minute curve.
DEMO_METER_INTERVAL_S = 300.0
DEMO_METER_VALUES = 8


@dataclass(frozen=True)
class DemoTransaction:
    """What the simulated charge point sent: its transaction, meter readings in Wh."""

    charge_point_id: str
    transaction_id: int | str  # OCPP 2.0.1: the station's own id (a UUID)
    meter_start_wh: int
    meter_stop_wh: int
    meter_values: int


class DemoChargeError(CentralSystemError):
    """The demo charger's transaction did not go through (a bug, not load: permanent)."""


def demo_url(port: int, host: str = "127.0.0.1") -> str:
    """The demo charge point's URL on a central system listening on host:port."""
    return f"ws://{host}:{port}/{DEMO_CHARGE_POINT_ID}"


def register_demo_charge_point(database: Database, clock: Clock, *, owner_user_id: int) -> str:
    """Register the demo charge point for its owner (or give it a new secret if it exists).

    Returns the new Basic-auth password; the book keeps only its hash.

    Raises:
        ConflictError: the charge point belongs to another owner.
    """
    issued = issue_secret()
    secret_hash = issued.stored
    with database.transaction() as session:
        chargers = OcppChargerRepository(session, clock)
        if chargers.credentials(DEMO_CHARGE_POINT_ID) is None:
            chargers.register(
                DEMO_CHARGE_POINT_ID, secret_hash=secret_hash, owner_user_id=owner_user_id
            )
        else:  # a kept demo book: same charger, fresh secret
            chargers.set_secret(
                DEMO_CHARGE_POINT_ID, secret_hash=secret_hash, allow_empty_password=False
            )
            chargers.claim(DEMO_CHARGE_POINT_ID, owner_user_id)
    return issued.secret


async def charge_once(
    url: str,
    password: str,
    clock: Clock,
    *,
    meter_values: int = DEMO_METER_VALUES,
    interval_s: float = DEMO_METER_INTERVAL_S,
    ocpp_version: str = "1.6",
) -> tuple[AnyChargePoint, DemoTransaction]:
    """Connect, boot, plug in (autostart), send `meter_values` MeterValues `interval_s`
    seconds apart on `clock`, unplug (StopTransaction). The charge point stays connected; the
    caller closes it.

    `clock` is the charger's own: a FixedClock (its sleep advances it) makes the transaction
    take no real time and its timestamps exact; a ScaledClock makes it run in (fast) real time.

    Raises:
        OSError, websockets.exceptions.InvalidStatus: the central system refused or is down.
        DemoChargeError: the transaction did not start or stop.
    """
    config = ChargePointConfig(
        password=password, meter_interval_s=interval_s, ocpp_version=ocpp_version
    )
    cp = simulated_charge_point(url, config, clock)
    await cp.connect()
    try:
        await cp.boot()
        await cp.plug_in()
        transaction_id = cp.transaction_id
        if transaction_id is None:
            raise DemoChargeError(
                "the central system did not start the demo transaction", charge_point_id=cp.id
            )
        for _ in range(meter_values):
            await clock.sleep(interval_s)
            await cp.send_meter_values()
        await clock.sleep(interval_s / 2)
        await cp.unplug()
        if cp.outbox:
            raise DemoChargeError(
                "the demo charger could not deliver its StopTransaction", charge_point_id=cp.id
            )
    except BaseException:
        await cp.close()
        raise
    cp.meter.update()
    result = DemoTransaction(
        charge_point_id=cp.id,
        transaction_id=transaction_id,
        meter_start_wh=cp.meter_start_wh,
        meter_stop_wh=int(cp.meter.register_wh),
        meter_values=meter_values,
    )
    return cp, result
