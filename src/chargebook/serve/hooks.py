"""`serve`'s webhook and notification dispatcher: a pass over the event outbox every
`webhook_dispatch_interval_s` (where `serve` runs the jobs itself, i.e. on SQLite; workers run
the same pass as a periodic job on PostgreSQL)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from chargebook.hooks.dispatch import dispatch_pass
from chargebook.hooks.policy import HookPolicy
from chargebook.hooks.reminders import remind
from chargebook.serve.parts import RuntimeParts

_LOGGER = logging.getLogger(__name__)
REMINDERS_EVERY = timedelta(hours=1)


async def _loop(parts: RuntimeParts, policy: HookPolicy, interval_s: float) -> None:
    reminded_at = None
    while True:
        try:
            now = parts.clock.now()
            if reminded_at is None or now - reminded_at >= REMINDERS_EVERY:
                remind(parts.database, parts.clock)
                reminded_at = now
            await dispatch_pass(parts.database, parts.clock, parts.box, policy)
        except Exception:  # a bad pass is logged; the next one tries again
            _LOGGER.exception("webhook dispatch pass failed")
        await asyncio.sleep(interval_s)


@asynccontextmanager
async def run_hook_dispatcher(parts: RuntimeParts) -> AsyncIterator[None]:
    """Dispatch while the block runs; stopped (mid-pass if need be) on exit."""
    settings = parts.settings
    task = asyncio.create_task(
        _loop(parts, HookPolicy.from_settings(settings), settings.webhook_dispatch_interval_s),
        name="chargebook-hooks",
    )
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
