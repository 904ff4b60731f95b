"""`SqlOutbox`: the `EventSink` of the book, and the dispatcher's reads of what is pending."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from chargebook.clock import Clock
from chargebook.db.hooks.tables import OutboxRow
from chargebook.domain.events import DomainEvent, EventKind, StoredEvent


class SqlOutbox:
    """Writes events into the caller's session: they commit or roll back with its fact."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def emit(self, event: DomainEvent) -> None:
        self._add(event, None)

    def _add(self, event: DomainEvent, key: str | None) -> None:
        self._session.add(
            OutboxRow(
                kind=event.kind.value,
                owner_id=event.owner_id,
                payload=json.dumps(dict(event.data), sort_keys=True, default=str),
                occurred_at=self._clock.now(),
                dedupe_key=key,
            )
        )

    def emit_once(self, event: DomainEvent, key: str) -> bool:
        """Emit unless an event with `key` was emitted before (reminders); whether it was new.
        Two dispatchers racing on one key: the unique key makes the second commit fail."""
        seen = self._session.scalar(select(OutboxRow.id).where(OutboxRow.dedupe_key == key))
        if seen is not None:
            return False
        self._add(event, key)
        return True

    def take_pending(self, limit: int = 100) -> list[StoredEvent]:
        """The oldest undispatched events, locked against another dispatcher (PostgreSQL
        skips rows another worker holds; SQLite has one writer anyway)."""
        rows = self._session.scalars(
            select(OutboxRow)
            .where(OutboxRow.dispatched_at.is_(None))
            .order_by(OutboxRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        return [_event(row) for row in rows]

    def mark_dispatched(self, event_ids: list[int], at: datetime) -> None:
        if event_ids:
            self._session.execute(
                update(OutboxRow).where(OutboxRow.id.in_(event_ids)).values(dispatched_at=at)
            )


def purge_dispatched(session: Session, before: datetime) -> None:
    """Forget dispatched events older than `before`, except reminders' dedupe keys (they keep
    a reminder from being sent again)."""
    session.execute(
        delete(OutboxRow).where(OutboxRow.dispatched_at < before, OutboxRow.dedupe_key.is_(None))
    )


def _event(row: OutboxRow) -> StoredEvent:
    return StoredEvent(
        id=row.id,
        kind=EventKind(row.kind),
        owner_id=row.owner_id,
        data=json.loads(row.payload),
        occurred_at=row.occurred_at,
    )
