"""What runs beside the web app while `chargebook serve` runs: the serve runtime, plugged in.

The runtime itself lives in `chargebook.serve` (scheduler thread, backfills, smart charging,
the OCPP central system); this lifespan enters its pieces and plugs what they yield into the
app: the scheduler and the smart runtime on the `WebContext` (pages wake and read them), the
central system into the charger controls for `ocpp` chargers (`CHARGEBOOK_WEB_RUN_CENTRAL_SYSTEM
=false` leaves it out); with CHARGEBOOK_MQTT_URL, the MQTT bridge (`web.mqtt_door`). All
stop when the app shuts down (uvicorn turns SIGTERM into a lifespan shutdown).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager

from fastapi import FastAPI

from chargebook.central_system.cluster import routed_commands
from chargebook.serve.hooks import run_hook_dispatcher
from chargebook.serve.runtime import run_central_system, run_scheduler, scheduler_enabled
from chargebook.serve.smart import run_smart_charging
from chargebook.web.context import WebContext
from chargebook.web.mqtt_door import mqtt_bridge
from chargebook.web.page_services import backfills_of
from chargebook.web.price_source import price_source

_LOGGER = logging.getLogger(__name__)


@asynccontextmanager
async def central_system_commands(
    context: WebContext,
    *,
    host: str | None = None,
    port: int | None = None,
    settle_heap: bool = True,
) -> AsyncIterator[int]:
    """Run the OCPP central system (`serve.runtime.run_central_system`), plugged into the
    charger controls and the context while it runs; yields its port."""
    running = run_central_system(context, host=host, port=port, settle_heap=settle_heap)
    async with running as (central, bound):
        # Commands reach a charger held by another process through PostgreSQL (`cluster`).
        commands = routed_commands(central)
        context.controls.use_central_system(commands, context.database, context.clock)
        context.central_system = central
        try:
            yield bound
        finally:
            context.controls.drop_central_system()
            context.central_system = None


@asynccontextmanager
async def _scheduler(context: WebContext, app: FastAPI) -> AsyncIterator[None]:
    backfills = backfills_of(app)
    async with run_scheduler(
        context, busy=backfills.running, leases=backfills.leases, synced_at=backfills.synced_at
    ) as scheduler:
        context.scheduler = scheduler
        try:
            yield
        finally:
            context.scheduler = None


@asynccontextmanager
async def _smart_charging(context: WebContext) -> AsyncIterator[None]:
    chargers, prices = context.controls.following, price_source(context)
    async with run_smart_charging(context, chargers=chargers, prices=prices) as runtime:
        context.smart = runtime
        try:
            yield
        finally:
            context.smart = None


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
                await stack.enter_async_context(central_system_commands(context))
            if background and scheduler_enabled(context):
                await stack.enter_async_context(_scheduler(context, app))
                # Webhooks and notifications (workers dispatch them on PostgreSQL).
                await stack.enter_async_context(run_hook_dispatcher(context))
            if background:
                await stack.enter_async_context(_smart_charging(context))
                await stack.enter_async_context(mqtt_bridge(context, app))
            yield
            _LOGGER.info("shutting down")
        if on_shutdown is not None:
            await on_shutdown()

    return lifespan
