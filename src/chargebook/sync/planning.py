"""Pure upsert planning: compare checked entries with what the book holds.

Two steps: `dedupe_read` settles ids served twice in one read as soon as a batch is read;
`plan_upsert` compares the result with the book when the batch is written.

Rules (idempotent: planning the same read twice against its own result writes nothing):
- an unknown id is inserted;
- a known id with the same sha256, state and reason is left alone;
- a known id whose payload changed is replaced, and both raw versions go to the audit log;
- an id served twice in one read with different data is a conflict: the first version is
  stored quarantined and the other one kept as evidence (`conflicting_raw`);
- a conflict stays quarantined while the cloud keeps serving the version stored.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass

from chargebook.domain.book import (
    SessionChange,
    SessionEntry,
    SessionState,
    StoredSession,
    UpsertPlan,
)

CONFLICT_PREFIX = "conflicting data for the same id"


def conflict_entry(first: SessionEntry, other: SessionEntry) -> SessionEntry:
    """`first` quarantined because the same read also served `other` with different data."""
    reason = f"{CONFLICT_PREFIX} (sha256 {first.raw_sha256[:12]} vs {other.raw_sha256[:12]})"
    return dataclasses.replace(
        first, state=SessionState.QUARANTINED, reason=reason, conflicting_raw=other.raw
    )


def _charger_moved(entry: SessionEntry, old: StoredSession) -> SessionEntry:
    reason = f"{CONFLICT_PREFIX}: the book has it on charger {old.charger_external_id}"
    return dataclasses.replace(entry, state=SessionState.QUARANTINED, reason=reason)


def _is_unchanged(entry: SessionEntry, old: StoredSession) -> bool:
    if entry.raw_sha256 != old.raw_sha256:
        return False
    if old.state is SessionState.QUARANTINED and (old.reason or "").startswith(CONFLICT_PREFIX):
        return True  # a known conflict stays until the cloud serves a new version
    return entry.state is old.state and entry.reason == old.reason


@dataclass(frozen=True, slots=True)
class ReadBatch:
    """One batch of a read after the in-read duplicate check: one entry per id (in the order
    first served) and how many records repeated an id of the same batch."""

    entries: tuple[SessionEntry, ...]
    repeats: int

    def ids(self) -> set[str]:
        """The batch's external ids."""
        return {entry.external_id for entry in self.entries}


def dedupe_read(
    entries: Sequence[SessionEntry], seen_in_read: MutableMapping[str, SessionEntry]
) -> ReadBatch:
    """Settle ids served twice in one read; needs no book, so it runs when a batch is read.

    Args:
        entries: checked entries of the batch, in the order the cloud served them.
        seen_in_read: first entry per id seen so far in this read (one window of one charger);
            updated in place, so conflicts across batches of the same read are found.
    """
    final: dict[str, SessionEntry] = {}
    for entry in entries:
        first = seen_in_read.get(entry.external_id)
        if first is None:
            seen_in_read[entry.external_id] = entry
            final[entry.external_id] = entry
        elif first.raw_sha256 != entry.raw_sha256:
            final[entry.external_id] = conflict_entry(first, entry)
        else:
            final.setdefault(entry.external_id, first)
    return ReadBatch(entries=tuple(final.values()), repeats=len(entries) - len(final))


def plan_upsert(batch: ReadBatch, existing: Mapping[str, StoredSession]) -> UpsertPlan:
    """Decide inserts and changes for one batch against what the book holds for its ids
    (from `SessionBook.find_sessions`)."""
    inserts: list[SessionEntry] = []
    changes: list[SessionChange] = []
    unchanged = batch.repeats
    for entry in batch.entries:
        old = existing.get(entry.external_id)
        if old is None:
            inserts.append(entry)
            continue
        if old.charger_external_id != entry.charger_external_id:
            entry = _charger_moved(entry, old)
        if _is_unchanged(entry, old):
            unchanged += 1
        else:
            changes.append(SessionChange(old=old, new=entry))
    return UpsertPlan(inserts=tuple(inserts), changes=tuple(changes), unchanged=unchanged)
