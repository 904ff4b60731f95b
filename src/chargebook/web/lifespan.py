"""What runs beside the web app while `chargebook serve` runs: the scheduler and OCPP.

- The in-process scheduler syncs every connected account and records live samples
  (`jobs.book_jobs.schedule_account_jobs`), on its own loop in a thread, and picks up
  accounts connected or disabled while it runs (`web.account_jobs`). It runs on SQLite by
  default; on PostgreSQL the `chargebook worker` processes do this, unless
  `CHARGEBOOK_WEB_RUN_SCHEDULER=true`.
- The OCPP central system (`ocpp_host:ocpp_port`, default 8887) is started here and plugged
  into the charger controls for `ocpp` chargers (`CHARGEBOOK_WEB_RUN_CENTRAL_SYSTEM=false` to
  leave it out).

Both stop when the app shuts down (uvicorn turns SIGTERM into a lifespan shutdown).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from datetime import datetime

from fastapi import FastAPI

from chargebook.web.account_jobs import AccountLeases, SchedulerThread
from chargebook.web.context import WebContext
from chargebook.web.page_services import backfills_of
from chargebook.web.smart_runtime import run_smart_charging

_LOGGER = logging.getLogger(__name__)


def scheduler_enabled(context: WebContext) -> bool:
    """Whether `serve` runs the account jobs itself (see the module docstring)."""
    configured = context.settings.web_run_scheduler
    return configured if configured is not None else context.database.dialect == "sqlite"


@asynccontextmanager
async def run_scheduler(
    context: WebContext,
    *,
    busy: Callable[[int], bool] = lambda _account_id: False,
    leases: AccountLeases | None = None,
    synced_at: Callable[[int], datetime | None] = lambda _account_id: None,
) -> AsyncIterator[SchedulerThread]:
    """Run the scheduler with sync + recorder jobs for every enabled account, on its own
    loop in a thread (`web.account_jobs`); accounts whose `busy(id)` is true (a backfill in
    progress) are scheduled once it is false, their first periodic sync a sync interval after
    `synced_at(id)` (the backfill's end); `leases` are shared with the backfills. Stops it
    on exit."""
    scheduler = SchedulerThread(context, busy=busy, leases=leases, synced_at=synced_at)
    await scheduler.start()
    context.scheduler = scheduler
    _LOGGER.info("scheduler started")
    try:
        yield scheduler
    finally:
        context.scheduler = None
        await scheduler.stop()


@asynccontextmanager
async def run_central_system(context: WebContext) -> AsyncIterator[None]:
    """Start the OCPP central system and plug it into the charger commands; stop on exit."""
    from chargebook.central_system import CentralSystem  # only when it is wanted

    settings = context.settings
    central = CentralSystem(settings, context.database, clock=context.clock, settle_heap=True)
    async with central:
        port = await central.start(settings.ocpp_host, settings.ocpp_port)
        context.controls.use_central_system(central, context.database, context.clock)
        context.central_system = central
        _LOGGER.info("OCPP central system on ws://%s:%d/<id>", settings.ocpp_host, port)
        try:
            yield
        finally:
            context.controls.drop_central_system()
            context.central_system = None


Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def background_lifespan(
    context: WebContext,
    *,
    background: bool,
    on_shutdown: Callable[[], Awaitable[None]] | None = None,
) -> Lifespan:
    """The app's lifespan: starts the scheduler and the central system when `background`;
    calls `on_shutdown` last."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if background and context.settings.web_run_central_system:
                await stack.enter_async_context(run_central_system(context))
            if background and scheduler_enabled(context):
                backfills = backfills_of(app)
                await stack.enter_async_context(
                    run_scheduler(
                        context,
                        busy=backfills.running,
                        leases=backfills.leases,
                        synced_at=backfills.synced_at,
                    )
                )
            if background:
                await stack.enter_async_context(run_smart_charging(context))
            yield
            _LOGGER.info("shutting down")
        if on_shutdown is not None:
            await on_shutdown()

    return lifespan
