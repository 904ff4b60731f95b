"""The pieces `chargebook serve` runs beside the web app, each an async context manager.

- `run_scheduler`: the in-process scheduler (`serve.scheduler`) that syncs every connected
  account and records live samples. It runs on SQLite by default; on PostgreSQL the
  `chargebook worker` processes do this, unless `CHARGEBOOK_WEB_RUN_SCHEDULER=true`
  (`scheduler_enabled`).
- `run_central_system`: the OCPP central system on `ocpp_host:ocpp_port` (default 8887).
- `serve.smart.run_smart_charging`: the smart-charging controllers.

The web app's lifespan (`web.lifespan`) enters them and plugs what they yield into the app.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import TYPE_CHECKING

from chargebook.serve.parts import RuntimeParts
from chargebook.serve.scheduler import AccountLeases, SchedulerThread

if TYPE_CHECKING:
    from chargebook.central_system import CentralSystem

_LOGGER = logging.getLogger(__name__)


def scheduler_enabled(parts: RuntimeParts) -> bool:
    """Whether `serve` runs the account jobs itself (see the module docstring)."""
    configured = parts.settings.web_run_scheduler
    return configured if configured is not None else parts.database.dialect == "sqlite"


@asynccontextmanager
async def run_scheduler(
    parts: RuntimeParts,
    *,
    busy: Callable[[int], bool] = lambda _account_id: False,
    leases: AccountLeases | None = None,
    synced_at: Callable[[int], datetime | None] = lambda _account_id: None,
) -> AsyncIterator[SchedulerThread]:
    """Run the scheduler with sync + recorder jobs for every enabled account, on its own
    loop in a thread (`serve.scheduler`); accounts whose `busy(id)` is true (a backfill in
    progress) are scheduled once it is false, their first periodic sync a sync interval after
    `synced_at(id)` (the backfill's end); `leases` are shared with the backfills. Stops it
    on exit."""
    scheduler = SchedulerThread(parts, busy=busy, leases=leases, synced_at=synced_at)
    await scheduler.start()
    _LOGGER.info("scheduler started")
    try:
        yield scheduler
    finally:
        await scheduler.stop()


@asynccontextmanager
async def run_central_system(
    parts: RuntimeParts,
    *,
    host: str | None = None,
    port: int | None = None,
    settle_heap: bool = True,
) -> AsyncIterator[tuple[CentralSystem, int]]:
    """Start the OCPP central system (on the settings' host and port unless given; port 0:
    a free one) and yield it with its port; stop it on exit. `settle_heap`: see
    `central_system.heap` (the long-running `serve` wants it).

    Raises:
        OSError: the port cannot be bound.
    """
    from chargebook.central_system import CentralSystem  # only when it is wanted
    from chargebook.central_system.mirror import MirrorHub
    from chargebook.central_system.tls import listening_notice
    from chargebook.central_system.warm_restart import SNAPSHOT_NAME, WarmRestart

    settings = parts.settings
    # Chargers with an upstream central system are mirrored to it (`central_system.mirror`).
    mirrors = MirrorHub(
        parts.database, lambda: parts.box, response_timeout_s=settings.ocpp_response_timeout_s
    )
    from chargebook.central_system.cluster import cluster_for

    warm = (
        WarmRestart(settings.data_dir / SNAPSHOT_NAME, parts.box)
        if settings.ocpp_warm_restart
        else None
    )
    central = CentralSystem(
        settings,
        parts.database,
        clock=parts.clock,
        settle_heap=settle_heap,
        mirrors=mirrors,
        warm_restart=warm,
        # On PostgreSQL this process is one of any number serving the book.
        cluster=cluster_for(parts.database, settings.ocpp_response_timeout_s),
    )
    async with central:
        host = settings.ocpp_host if host is None else host
        bound = await central.start(host, settings.ocpp_port if port is None else port)
        _LOGGER.info("%s", listening_notice(host, bound, central.security))
        yield central, bound
