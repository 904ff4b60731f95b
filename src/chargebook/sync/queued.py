"""What the sync engine queues on its `WriteGroup` for one account: batches of sessions
(checked now, compared with the book when their group is written), cursor saves, the
account's outcome and the linking of recorded samples to sessions.

Each write runs later, in the group's transaction; the counts it returns reach the account's
report only after that transaction committed (`AfterCommit`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from chargebook.clock import Clock
from chargebook.domain.book import SessionEntry, SyncState
from chargebook.domain.models import Charger, SessionRecord
from chargebook.domain.ports import BookTransaction
from chargebook.sync.accounts import AccountSource
from chargebook.sync.planning import dedupe_read, plan_upsert
from chargebook.sync.report import AccountReport
from chargebook.sync.validation import charger_limits, check_record
from chargebook.sync.write_group import AfterCommit, WriteGroup


def queue_batch(
    writes: WriteGroup,
    account: AccountSource,
    records: Sequence[SessionRecord],
    charger: Charger,
    seen: dict[str, SessionEntry],
    report: AccountReport,
    clock: Clock,
) -> None:
    """Check a batch now (pure), compare it with the book when its group is written."""
    writes.check(account.account_id)
    max_current_a, phases = charger_limits(charger)
    now = clock.now()
    entries = [
        check_record(r, max_current_a=max_current_a, phases=phases, now=now) for r in records
    ]
    read = dedupe_read(entries, seen)

    def write(book: BookTransaction) -> AfterCommit:
        existing = book.find_sessions(entries[0].source, read.ids())
        plan = plan_upsert(read, existing)
        book.apply_upsert(plan)

        def count() -> None:
            report.new += len(plan.inserts)
            report.changed += len(plan.changes)
            report.unchanged += plan.unchanged
            report.quarantined += plan.quarantined

        return count

    writes.add(account.account_id, write, rows=len(entries))


def queue_cursor(
    writes: WriteGroup,
    account: AccountSource,
    state: SyncState,
    clock: Clock,
    *,
    success: bool = True,
) -> SyncState:
    """Queue the cursor save; returns the state as it will be stored."""
    if success:
        state = dataclasses.replace(
            state, last_success_at=clock.now(), last_error=None, consecutive_failures=0
        )

    def write(book: BookTransaction) -> None:
        book.save_sync_state(account.source, state)

    writes.add(account.account_id, write)
    return state


def queue_outcome(
    writes: WriteGroup, account: AccountSource, clock: Clock, *, error: str | None
) -> None:
    """Queue the account's outcome: synced now, or failed with `error`."""
    at = clock.now()

    def write(book: BookTransaction) -> None:
        book.record_account_outcome(account.account_id, at=at, error=error)

    writes.add(account.account_id, write)


def queue_sample_links(
    writes: WriteGroup, account: AccountSource, charger: Charger, report: AccountReport
) -> None:
    """Queue linking the charger's recorded samples to its sessions (counted in `report`)."""

    def link(book: BookTransaction) -> AfterCommit:
        linked = book.link_samples(account.source, charger.external_id)

        def count() -> None:
            report.samples_linked += linked

        return count

    writes.add(account.account_id, link)
