"""The pages' long-lived helpers, one per app: live charger state and background backfills.

Made on first use and kept on `app.state` (`create_app` closes the backfills on shutdown).
"""

from __future__ import annotations

from fastapi import FastAPI, Request

from chargebook.serve.backfill import Backfills
from chargebook.web.live import LiveStatus, cache_ttl_s


def live_status(request: Request) -> LiveStatus:
    """The app's cache of live charger readings."""
    return live_status_of(request.app)


def live_status_of(app: FastAPI) -> LiveStatus:
    """The app's cache of live charger readings (the pages' and the MQTT bridge's)."""
    found: LiveStatus | None = getattr(app.state, "live_status", None)
    if found is None:
        context = app.state.context
        found = LiveStatus(
            context.database, context.controls, context.clock, ttl_s=cache_ttl_s(context.settings)
        )
        app.state.live_status = found
    return found


def backfills_of(app: FastAPI) -> Backfills:
    """The app's background backfills."""
    found: Backfills | None = getattr(app.state, "backfills", None)
    if found is None:
        context = app.state.context

        def refresh_scheduler() -> None:  # the account's periodic jobs start now
            if context.scheduler is not None:
                context.scheduler.refresh()

        found = Backfills(context, on_finished=refresh_scheduler)
        app.state.backfills = found
    return found


def backfills(request: Request) -> Backfills:
    """The app's background backfills (for a route)."""
    return backfills_of(request.app)
