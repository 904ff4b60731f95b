"""`session.completed` events for sessions the sync engine newly writes to the book.

Only sessions that ended within `RECENT` of now are announced: a backfill writes years of
history, and owners want a webhook (and a "charging finished" notification) for charging that
just finished, not for every session of 2019. The events go into the outbox in the batch's own
transaction (see `chargebook.domain.events`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from chargebook.clock import Clock
from chargebook.db.book.tables import ChargerRow
from chargebook.db.hooks.outbox import SqlOutbox
from chargebook.domain.book import SessionEntry, SessionState
from chargebook.domain.events import DomainEvent, EventKind

RECENT = timedelta(hours=24)


def emit_completed(
    session: Session,
    clock: Clock,
    entries: Sequence[SessionEntry],
    charger_id: Callable[[SessionEntry], int],
) -> int:
    """Emit one event per recent, plausible, ended session among `entries`; how many."""
    since = clock.now() - RECENT
    recent = [
        entry
        for entry in entries
        if entry.state is SessionState.OK
        and entry.session is not None
        and entry.session.ended_at >= since
    ]
    if not recent:
        return 0
    ids = {entry.external_id: charger_id(entry) for entry in recent}
    chargers = {
        row.id: row
        for row in session.scalars(select(ChargerRow).where(ChargerRow.id.in_(set(ids.values()))))
    }
    outbox = SqlOutbox(session, clock)
    for entry in recent:
        charger = chargers[ids[entry.external_id]]
        done = entry.session
        assert done is not None
        outbox.emit(
            DomainEvent(
                EventKind.SESSION_COMPLETED,
                charger.owner_user_id,
                {
                    "charger_id": charger.id,
                    "charger": charger.name,
                    "source": entry.source.value,
                    "session_external_id": entry.external_id,
                    "started_at": done.started_at.isoformat(),
                    "ended_at": done.ended_at.isoformat(),
                    "energy_kwh": str(done.energy_kwh) if done.energy_kwh is not None else None,
                },
            )
        )
    return len(recent)
