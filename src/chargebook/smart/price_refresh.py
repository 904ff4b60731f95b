"""Fetching the prices of a session's plan horizon, again while not all are published.

The curve is fetched once when a goal is set, then every `price_refresh_s` while it is not
complete (tomorrow's day-ahead prices arrive in the afternoon). A failure is reported once
until prices come back; new prices are a reason to re-plan.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from chargebook.domain.prices import PriceSource, floor_to_slot
from chargebook.domain.smart import EventKind
from chargebook.errors import ChargebookError
from chargebook.smart.session import ControlSession


async def refresh_prices(
    session: ControlSession,
    now: datetime,
    prices: PriceSource,
    *,
    refresh_s: float,
    emit: Callable[[EventKind, str], None],
) -> str | None:
    """Fetch the session's prices when due; returns "new prices" when a re-plan is owed."""
    assert session.goal is not None
    checked = session.prices_checked_at
    due = session.curve is None or (
        not session.curve.complete
        and checked is not None
        and (now - checked).total_seconds() >= refresh_s
    )
    if not due or session.goal.departure <= now:
        return None
    session.prices_checked_at = now
    start = floor_to_slot(session.plugged_in_at)
    try:
        curve = await prices.get_prices(start, session.goal.departure)
    except ChargebookError as exc:
        if not session.prices_failing:
            emit(EventKind.PRICES_UNAVAILABLE, f"no prices: {exc.message}")
        session.prices_failing = True
        return None
    session.prices_failing = False
    before = session.curve.known_until if session.curve is not None else None
    session.curve = curve
    if before is not None and curve.known_until != before and curve.known_until is not None:
        message = f"prices known until {curve.known_until.isoformat()}"
        emit(EventKind.PRICES_UPDATED, message)
        return "new prices"
    if curve.known_until is None or not curve.complete:
        known = curve.known_until.isoformat() if curve.known_until else "nothing"
        emit(EventKind.PRICES_UNAVAILABLE, f"not all prices published: known {known}")
    return None
