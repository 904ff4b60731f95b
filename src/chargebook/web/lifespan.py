"""What runs beside the web app while `chargebook serve` runs: the scheduler and OCPP.

- The in-process scheduler syncs every connected account and records live samples
  (`jobs.book_jobs.schedule_account_jobs`). It runs on SQLite by default; on PostgreSQL the
  `chargebook worker` processes do this, unless `CHARGEBOOK_WEB_RUN_SCHEDULER=true`.
- The OCPP central system (`ocpp_host:ocpp_port`, default 8887) is started here and plugged
  into `ChargerCommands` for `ocpp` chargers (`CHARGEBOOK_WEB_RUN_CENTRAL_SYSTEM=false` to
  leave it out).

Both stop when the app shuts down (uvicorn turns SIGTERM into a lifespan shutdown).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager

from fastapi import FastAPI

from chargebook.db.book_store import book_opener
from chargebook.domain.models import ChargerSource
from chargebook.jobs import Scheduler
from chargebook.jobs.book_jobs import schedule_account_jobs
from chargebook.sync import SyncConfig, SyncEngine
from chargebook.sync.accounts import build_sources, close_sources
from chargebook.sync.recorder import Recorder
from chargebook.web.commands import OcppCommandPort
from chargebook.web.context import WebContext
from chargebook.web.smart_runtime import run_smart_charging

_LOGGER = logging.getLogger(__name__)


def scheduler_enabled(context: WebContext) -> bool:
    """Whether `serve` runs the account jobs itself (see the module docstring)."""
    configured = context.settings.web_run_scheduler
    return configured if configured is not None else context.database.dialect == "sqlite"


@asynccontextmanager
async def run_scheduler(context: WebContext) -> AsyncIterator[Scheduler]:
    """Schedule sync + recorder jobs for every connected account; stop them on exit."""
    sources = build_sources(
        context.settings,
        context.database,
        context.box,
        context.clock,
        transport=context.wallbox_transport,
        budgets=context.budgets,
    )
    opener = book_opener(context.database, context.clock)
    scheduler = Scheduler(context.clock)
    schedule_account_jobs(
        scheduler,
        sources,
        engine=SyncEngine(opener, context.clock, SyncConfig()),
        recorder=Recorder(
            opener, context.clock, reads_per_minute=context.settings.wallbox_reads_per_minute
        ),
    )
    task = asyncio.create_task(scheduler.run(), name="chargebook-scheduler")
    context.scheduler = scheduler
    _LOGGER.info("scheduler started for %d accounts", len(sources))
    try:
        yield scheduler
    finally:
        scheduler.stop()
        await task
        await close_sources(sources)
        context.scheduler = None


@asynccontextmanager
async def run_central_system(context: WebContext) -> AsyncIterator[None]:
    """Start the OCPP central system and plug it into the charger commands; stop on exit."""
    from chargebook.central_system import CentralSystem  # only when it is wanted

    settings = context.settings
    central = CentralSystem(settings, context.database, clock=context.clock)
    async with central:
        port = await central.start(settings.ocpp_host, settings.ocpp_port)
        context.commands.register(ChargerSource.OCPP, OcppCommandPort(central))
        context.central_system = central
        _LOGGER.info("OCPP central system on ws://%s:%d/<id>", settings.ocpp_host, port)
        try:
            yield
        finally:
            context.commands.unregister(ChargerSource.OCPP)
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
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if background and context.settings.web_run_central_system:
                await stack.enter_async_context(run_central_system(context))
            if background and scheduler_enabled(context):
                await stack.enter_async_context(run_scheduler(context))
            if background:
                await stack.enter_async_context(run_smart_charging(context))
            yield
            _LOGGER.info("shutting down")
        if on_shutdown is not None:
            await on_shutdown()

    return lifespan
