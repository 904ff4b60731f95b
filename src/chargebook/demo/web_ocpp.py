"""The web demo's OCPP charger: the demo owner's second charger speaks OCPP 1.6J (or 2.0.1).

While the demo app runs, chargebook's central system listens on a free loopback port and is
plugged into the charger commands; one simulated charge point (registered to the owner) has
just charged once through it, so the owner's dashboard shows it next to the Wallbox chargers,
with its session and samples. The charge point stays connected until the app stops.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from chargebook.clock import FixedClock
from chargebook.db import UserRepository
from chargebook.demo.ocpp import (
    DEMO_METER_INTERVAL_S,
    DEMO_METER_VALUES,
    DemoTransaction,
    charge_once,
    demo_url,
    register_demo_charge_point,
)
from chargebook.errors import NotFoundError
from chargebook.web.context import WebContext
from chargebook.web.lifespan import central_system_commands

_LOGGER = logging.getLogger(__name__)
# The charger's own fixed clock (its sleeps advance it, no real waiting) ends the transaction
# when the app starts: it "happened" just before.
_TRANSACTION_S = DEMO_METER_INTERVAL_S * (DEMO_METER_VALUES + 0.5)


@asynccontextmanager
async def run_demo_ocpp_charger(
    context: WebContext, *, owner_email: str, ocpp_version: str = "1.6"
) -> AsyncIterator[DemoTransaction]:
    """Register the demo charge point to `owner_email`, serve OCPP on 127.0.0.1 (free port),
    charge once speaking `ocpp_version`, and keep the charge point connected until the context
    exits.

    Raises:
        NotFoundError: no user with `owner_email`.
        OSError, DemoChargeError: the central system or the simulated charger failed.
    """
    with context.database.session() as session:
        owner = UserRepository(session, context.clock).get_by_email(owner_email)
    if owner is None:
        raise NotFoundError(f"no demo owner {owner_email}")
    password = register_demo_charge_point(context.database, context.clock, owner_user_id=owner.id)
    # The app's own plug (web.lifespan), on a free loopback port.
    plugged = central_system_commands(context, host="127.0.0.1", port=0, settle_heap=False)
    async with plugged as port:
        start = context.clock.now() - timedelta(seconds=_TRANSACTION_S)
        cp, done = await charge_once(
            demo_url(port), password, FixedClock(start), ocpp_version=ocpp_version
        )
        _LOGGER.info(
            "demo: OCPP %s charger %s on ws://127.0.0.1:%d charged %d Wh",
            ocpp_version,
            done.charge_point_id,
            port,
            done.meter_stop_wh - done.meter_start_wh,
        )
        try:
            yield done
        finally:
            await cp.close()
