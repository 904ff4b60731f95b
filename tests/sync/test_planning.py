"""The pure upsert planner: inserts, changes, duplicates and conflicts."""

from __future__ import annotations

import dataclasses
from typing import Any

from chargebook.domain.book import SessionEntry, SessionState, StoredSession, UpsertPlan
from chargebook.domain.models import ChargerSource
from chargebook.sync.planning import CONFLICT_PREFIX, dedupe_read, plan_upsert
from chargebook.sync.validation import raw_sha256


def entry(external_id: str, energy: float = 10.0, charger: str = "9") -> SessionEntry:
    raw: dict[str, Any] = {"id": external_id, "energy": energy}
    return SessionEntry(
        source=ChargerSource.WALLBOX_CLOUD,
        external_id=external_id,
        charger_external_id=charger,
        raw=raw,
        raw_sha256=raw_sha256(raw),
        session=None,
        state=SessionState.OK,
    )


def stored(e: SessionEntry) -> StoredSession:
    return StoredSession(
        external_id=e.external_id,
        charger_external_id=e.charger_external_id,
        raw=e.raw,
        raw_sha256=e.raw_sha256,
        state=e.state,
        reason=e.reason,
        started_at=None,
    )


def planned(
    entries: list[SessionEntry], existing: dict[str, StoredSession], seen: dict[str, SessionEntry]
) -> UpsertPlan:
    """Both steps, as the engine runs them: dedupe when read, compare when written."""
    return plan_upsert(dedupe_read(entries, seen), existing)


def test_new_ids_are_inserted_and_known_ones_skipped() -> None:
    a, b = entry("a"), entry("b")
    plan = planned([a, b], {"a": stored(a)}, {})
    assert [e.external_id for e in plan.inserts] == ["b"]
    assert plan.changes == ()
    assert plan.unchanged == 1


def test_changed_payload_is_a_change_with_both_versions() -> None:
    old, new = entry("a", 10.0), entry("a", 12.5)
    plan = planned([new], {"a": stored(old)}, {})
    assert plan.inserts == ()
    assert len(plan.changes) == 1
    assert plan.changes[0].old.raw == old.raw
    assert plan.changes[0].new.raw == new.raw


def test_exact_duplicate_in_one_read_is_stored_once() -> None:
    a = entry("a")
    seen: dict[str, SessionEntry] = {}
    plan = planned([a, a], {}, seen)
    assert len(plan.inserts) == 1
    assert plan.unchanged == 1


def test_conflict_within_a_read_quarantines_first_version_keeping_the_other() -> None:
    first, other = entry("a", 10.0), entry("a", 99.0)
    seen: dict[str, SessionEntry] = {}
    plan = planned([first, other], {}, seen)
    assert len(plan.inserts) == 1
    kept = plan.inserts[0]
    assert kept.state is SessionState.QUARANTINED
    assert kept.reason is not None
    assert kept.reason.startswith(CONFLICT_PREFIX)
    assert kept.raw == first.raw
    assert kept.conflicting_raw == other.raw
    assert plan.quarantined == 1

    # The same read again, against what was stored: nothing to write (idempotent).
    again = planned([first, other], {"a": stored(kept)}, {})
    assert again.inserts == ()
    assert again.changes == ()


def test_conflict_across_batches_of_one_read() -> None:
    first, other = entry("a", 10.0), entry("a", 99.0)
    seen: dict[str, SessionEntry] = {}
    batch1 = planned([first], {}, seen)
    batch2 = planned([other], {"a": stored(batch1.inserts[0])}, seen)
    assert len(batch2.changes) == 1
    assert batch2.changes[0].new.state is SessionState.QUARANTINED
    assert batch2.changes[0].new.raw_sha256 == first.raw_sha256


def test_same_id_on_another_charger_is_quarantined() -> None:
    original = entry("a", charger="9")
    moved = dataclasses.replace(original, charger_external_id="10")
    plan = planned([moved], {"a": stored(original)}, {})
    assert len(plan.changes) == 1
    assert plan.changes[0].new.state is SessionState.QUARANTINED
    again = planned([moved], {"a": stored(plan.changes[0].new)}, {})
    assert again.changes == ()
    assert again.unchanged == 1
