"""`charger.state_changed` events from the recorder's samples (the sync path's `add_samples`).

Each new sample is compared with the charger's previous one (the latest stored before it, then
the batch's own): a different state is a change. The recorder stores an idle sample whenever
the state changes, so every change reaches the book and so the outbox, in the samples'
transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chargebook.clock import Clock
from chargebook.db.book.tables import ChargerRow, SessionSampleRow
from chargebook.db.hooks.outbox import SqlOutbox
from chargebook.domain.book import SessionSample
from chargebook.domain.events import DomainEvent, EventKind
from chargebook.domain.models import ChargerState


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
                # The current owner's row: an earlier owner's must not hear of the change.
                ChargerRow.source == source,
                ChargerRow.external_id == external_id,
                ChargerRow.owner_until.is_(None),
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
                    state_change_event(charger, previous, sample.state.value, sample.observed_at)
                )
                emitted += 1
            previous = sample.state.value
    return emitted


def state_change_event(
    charger: ChargerRow, before: str, after: str, observed_at: datetime
) -> DomainEvent:
    """`charger.state_changed` from `before` to `after` (chargebook's state words), for the
    charger's owner: the one shape the recorder's samples and OCPP's StatusNotifications
    announce a change in."""
    return DomainEvent(
        EventKind.CHARGER_STATE_CHANGED,
        charger.owner_user_id,
        {
            "charger_id": charger.id,
            "charger": charger.name,
            "from": before,
            "to": after,
            "observed_at": observed_at.isoformat(),
        },
    )


@dataclass(frozen=True, slots=True)
class OfflineCharger:
    charger_id: int
    owner_user_id: int
    name: str
    since: datetime  # the first "disconnected" sample of the current run


def offline_chargers(session: Session, before: datetime) -> list[OfflineCharger]:
    """Owned chargers whose latest sample says disconnected, continuously since `before` or
    longer (a charger the recorder no longer samples at all is not seen here)."""
    offline = ChargerState.DISCONNECTED.value
    found = []
    for charger in session.scalars(select(ChargerRow).where(ChargerRow.owner_user_id.is_not(None))):
        samples = select(SessionSampleRow).where(SessionSampleRow.charger_id == charger.id)
        latest = session.scalars(
            samples.order_by(SessionSampleRow.observed_at.desc()).limit(1)
        ).first()
        if latest is None or latest.status != offline:
            continue
        online_at = session.scalar(
            select(func.max(SessionSampleRow.observed_at)).where(
                SessionSampleRow.charger_id == charger.id, SessionSampleRow.status != offline
            )
        )
        run = samples.where(SessionSampleRow.observed_at > online_at) if online_at else samples
        since = session.scalar(select(func.min(run.subquery().c.observed_at)))
        if since is not None and since <= before and charger.owner_user_id is not None:
            found.append(OfflineCharger(charger.id, charger.owner_user_id, charger.name, since))
    return found
