"""Reminders that no single fact triggers: an ERE mandate that ends this year (from
1 October, once per mandate and year, unless a mandate for the next year is signed), and a
charger whose samples say "disconnected" for longer than 6 hours (once per offline run).

Run about once an hour (`serve`'s dispatcher loop, the workers' dispatcher job at the top of
the hour); the outbox's dedupe key keeps each reminder to one.
"""

from __future__ import annotations

from datetime import timedelta

from chargebook.clock import Clock
from chargebook.db import Database
from chargebook.db.book.state_events import offline_chargers
from chargebook.db.ere.store import EreStore
from chargebook.db.hooks.outbox import SqlOutbox, purge_dispatched
from chargebook.db.hooks.webhooks import WebhookRepository
from chargebook.domain.events import DomainEvent, EventKind

FROM_MONTH = 10
OFFLINE_AFTER = timedelta(hours=6)
KEEP = timedelta(days=30)  # the deliveries log and dispatched events


def remind_mandates_ending(database: Database, clock: Clock) -> int:
    """Emit `mandate.ending` for this year's ending mandates not renewed; how many now."""
    today = clock.now().date()
    if today.month < FROM_MONTH:
        return 0
    emitted = 0
    with database.transaction() as session:
        store = EreStore(session, clock)
        mandates = store.mandates.list()
        renewed = {m.mandate.ean for m in mandates if m.mandate.last_year > today.year}
        for stored in mandates:
            mandate = stored.mandate
            if mandate.last_year != today.year or mandate.ean in renewed:
                continue
            event = DomainEvent(
                EventKind.MANDATE_ENDING,
                int(mandate.customer_id),
                {"mandate_id": stored.id, "ean": mandate.ean, "last_year": mandate.last_year},
            )
            emitted += store.events.emit_once(event, f"mandate-ending:{stored.id}:{today.year}")
    return emitted


def remind_chargers_offline(
    database: Database, clock: Clock, after: timedelta = OFFLINE_AFTER
) -> int:
    """Emit `charger.offline` once per offline run longer than `after`; how many now."""
    emitted = 0
    with database.transaction() as session:
        outbox = SqlOutbox(session, clock)
        for charger in offline_chargers(session, clock.now() - after):
            since = charger.since.isoformat()
            event = DomainEvent(
                EventKind.CHARGER_OFFLINE,
                charger.owner_user_id,
                {"charger_id": charger.charger_id, "charger": charger.name, "since": since},
            )
            emitted += outbox.emit_once(event, f"offline:{charger.charger_id}:{since}")
    return emitted


def purge(database: Database, clock: Clock, keep: timedelta = KEEP) -> None:
    """Forget finished deliveries (and their attempts) and dispatched events after `keep`."""
    before = clock.now() - keep
    with database.transaction() as session:
        WebhookRepository(session, clock).purge_before(before)
        purge_dispatched(session, before)


def remind(database: Database, clock: Clock) -> int:
    """Every hourly pass: the reminders, and the deliveries log kept to `KEEP`."""
    purge(database, clock)
    return remind_mandates_ending(database, clock) + remind_chargers_offline(database, clock)
