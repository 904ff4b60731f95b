"""Domain events: what happened, for whom, told through one port (`EventSink`).

A service that finishes something other systems care about (a session completed, a mandate
signed, a payout paid) emits a `DomainEvent` into the sink it was handed. The book's sink is
a transactional outbox (`chargebook.db.hooks.outbox.SqlOutbox`): the event is a row written
in the same transaction as the fact it reports, so a rolled-back fact is never announced and
delivering it (webhooks, notifications) never blocks or fails that transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class EventKind(StrEnum):
    """Every event kind; webhooks subscribe to `WEBHOOK_EVENTS`, notifications follow some."""

    SESSION_COMPLETED = "session.completed"
    CHARGER_STATE_CHANGED = "charger.state_changed"
    MANDATE_SIGNED = "mandate.signed"
    BATCH_FINALIZED = "batch.finalized"
    STATEMENT_READY = "statement.ready"
    PAYOUT_PAID = "payout.paid"
    # Notification-only kinds (no webhook): an owner's reminders and warnings.
    PLAN_UNMET = "plan.unmet"
    CHARGER_OFFLINE = "charger.offline"
    MANDATE_ENDING = "mandate.ending"


WEBHOOK_EVENTS: tuple[EventKind, ...] = (
    EventKind.SESSION_COMPLETED,
    EventKind.CHARGER_STATE_CHANGED,
    EventKind.MANDATE_SIGNED,
    EventKind.BATCH_FINALIZED,
    EventKind.STATEMENT_READY,
    EventKind.PAYOUT_PAID,
)


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """One fact. `owner_id` is the user it concerns (None: operator-only, e.g. a batch of many
    owners); `data` is JSON-safe (str, int, float, bool, None, lists and dicts of them)."""

    kind: EventKind
    owner_id: int | None
    data: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as the outbox keeps it, with its id and when it was recorded."""

    id: int
    kind: EventKind
    owner_id: int | None
    data: Mapping[str, object]
    occurred_at: datetime


class EventSink(Protocol):
    """Where a service tells what happened. Must not raise for a valid event and must not
    do I/O outside the caller's transaction."""

    def emit(self, event: DomainEvent) -> None: ...


class NullSink:
    """A sink that drops events (callers that announce nothing, e.g. a dry run)."""

    def emit(self, event: DomainEvent) -> None:
        del event
