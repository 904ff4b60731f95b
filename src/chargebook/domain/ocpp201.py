"""The book's view of an OCPP 2.0.1 TransactionEvent: what one event says about its
transaction, and what recording it did. No I/O.

A 2.0.1 station names its transactions itself (a string of up to 36 characters) and reports
them as events, not as a start and a stop: `Started` (maybe without a register: what it sends
depends on `SampledDataCtrlr.TxStartedMeasurands`), `Updated` (charging state changes,
periodic meter values) and `Ended`. Events may arrive late (`offline`, sent after a
reconnect) and twice (a retry after a lost answer), so recording is keyed by the transaction
id and idempotent on the event's content; `seqNo` tells whether all of a transaction's events
arrived, and restarts at 0 for every transaction (OCPP 2.0.1 Edition 2, OCTT TC_E_53).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

STARTED = "Started"
UPDATED = "Updated"
ENDED = "Ended"
NO_REGISTER = "the transaction ended without a single energy register reading"


@dataclass(frozen=True, slots=True)
class TransactionEventFacts:
    """One TransactionEvent, parsed (timestamps UTC-aware)."""

    transaction_id: str
    event_type: str  # STARTED, UPDATED or ENDED
    timestamp: datetime
    seq_no: int
    trigger_reason: str
    offline: bool = False
    evse_id: int | None = None
    connector_id: int | None = None
    id_token: str | None = None
    charging_state: str | None = None
    stopped_reason: str | None = None


@dataclass(frozen=True, slots=True)
class TransactionEventOutcome:
    """What recording one event did to its transaction (`row_id`: the book's transaction id,
    the session's external id is "<charge point id>:<row_id>")."""

    row_id: int
    created: bool
    ended: bool
    is_open: bool = True  # the transaction, after this event (a late one may follow its end)
    duplicate_end: bool = False
    session_id: int | None = None
    quarantine_reason: str | None = None


def seq_no_gaps(seq_nos: Iterable[int]) -> list[int]:
    """The sequence numbers missing between the lowest and the highest one received."""
    seen = set(seq_nos)
    if not seen:
        return []
    return [n for n in range(min(seen), max(seen) + 1) if n not in seen]
