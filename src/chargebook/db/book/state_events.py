"""`charger.state_changed` events from the recorder's samples (the sync path's `add_samples`).

Each new sample is compared with the charger's previous one (the latest stored before it, then
the batch's own): a different state is a change. The recorder stores an idle sample whenever
the state changes, so every change reaches the book and so the outbox, in the samples'
transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from chargebook.clock import Clock
from chargebook.db.book.tables import ChargerRow, SessionSampleRow
from chargebook.db.hooks.outbox import SqlOutbox
from chargebook.domain.book import SessionSample
from chargebook.domain.events import DomainEvent, EventKind


def emit_state_changes(session: Session, clock: Clock, samples: Sequence[SessionSample]) -> int:
    """Emit an event per state change the samples show (before they are stored); how many."""
    by_charger: dict[tuple[str, str], list[SessionSample]] = defaultdict(list)
    for sample in samples:
        by_charger[(sample.source.value, sample.charger_external_id)].append(sample)
    outbox = SqlOutbox(session, clock)
    emitted = 0
    for (source, external_id), own in by_charger.items():
        charger = session.scalars(
            select(ChargerRow).where(
                ChargerRow.source == source, ChargerRow.external_id == external_id
            )
        ).first()
        if charger is None:
            continue
        # Compared with the latest stored sample; samples not after it (a re-sent reading)
        # are no news.
        latest = session.execute(
            select(SessionSampleRow.status, SessionSampleRow.observed_at)
            .where(SessionSampleRow.charger_id == charger.id)
            .order_by(SessionSampleRow.observed_at.desc())
            .limit(1)
        ).first()
        previous = None if latest is None else latest.status
        own = sorted(own, key=lambda sample: sample.observed_at)
        if latest is not None:
            own = [sample for sample in own if sample.observed_at > latest.observed_at]
        for sample in own:
            if previous is not None and sample.state.value != previous:
                outbox.emit(
                    DomainEvent(
                        EventKind.CHARGER_STATE_CHANGED,
                        charger.owner_user_id,
                        {
                            "charger_id": charger.id,
                            "charger": charger.name,
                            "from": previous,
                            "to": sample.state.value,
                            "observed_at": sample.observed_at.isoformat(),
                        },
                    )
                )
                emitted += 1
            previous = sample.state.value
    return emitted
