"""Types of the book's write side: checked session entries, stored references, sync cursors,
live samples. Frozen dataclasses, no I/O; the sync core builds them, a store persists them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from chargebook.domain.models import ChargerSource, ChargerState, ChargingSession


class SessionState(StrEnum):
    """Whether a stored session counts (ok) or waits for a person (quarantined)."""

    OK = "ok"
    QUARANTINED = "quarantined"


@dataclass(frozen=True, slots=True)
class SessionEntry:
    """One session record, checked and ready to be written to the book.

    `raw_sha256` is the hash of the canonical JSON of `raw` (see `chargebook.sync.hashing`);
    `session` is None only for a record that could not be parsed (then it is quarantined).
    """

    source: ChargerSource
    external_id: str
    charger_external_id: str
    raw: Mapping[str, Any]
    raw_sha256: str
    session: ChargingSession | None
    state: SessionState
    reason: str | None = None
    # Set when the same read served this id twice with different data: the other version,
    # kept as evidence in the audit log while this (first) version is stored quarantined.
    conflicting_raw: Mapping[str, Any] | None = None
    # The canonical JSON text `raw_sha256` was computed from, so a store need not encode again.
    raw_json: str = ""


@dataclass(frozen=True, slots=True)
class StoredSession:
    """What the book already holds for one (source, external id)."""

    external_id: str
    charger_external_id: str
    raw: Mapping[str, Any]
    raw_sha256: str
    state: SessionState
    reason: str | None
    started_at: datetime | None


@dataclass(frozen=True, slots=True)
class SessionChange:
    """A known session whose payload changed: both versions go to the audit log."""

    old: StoredSession
    new: SessionEntry


@dataclass(frozen=True, slots=True)
class UpsertPlan:
    """What one batch does to the book: insert new ids, replace changed ones, skip the rest."""

    inserts: tuple[SessionEntry, ...] = ()
    changes: tuple[SessionChange, ...] = ()
    unchanged: int = 0

    @property
    def quarantined(self) -> int:
        """Entries this batch newly stores (or re-stores) as quarantined."""
        written = [*self.inserts, *(change.new for change in self.changes)]
        return sum(1 for entry in written if entry.state is SessionState.QUARANTINED)


@dataclass(frozen=True, slots=True)
class SyncState:
    """The durable sync cursor of one charger.

    Everything that started in [backfill_cursor, synced_until) has been read into the book.
    Backfill walks `backfill_cursor` back towards the horizon; incremental syncs move
    `synced_until` forward (re-reading an overlap).
    """

    charger_external_id: str
    synced_until: datetime | None = None
    backfill_cursor: datetime | None = None
    backfill_complete: bool = False
    sessions_found: int = 0
    empty_windows: int = 0
    last_success_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    consecutive_failures: int = 0


@dataclass(frozen=True, slots=True)
class SessionSample:
    """One live reading of a charger; linked to its session once the history shows it."""

    source: ChargerSource
    charger_external_id: str
    observed_at: datetime
    power_kw: float
    energy_kwh: float
    state: ChargerState
    status_code: int
    extra: Mapping[str, Any] = field(default_factory=dict)
