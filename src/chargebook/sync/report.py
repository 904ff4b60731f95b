"""What a sync run did, per account and in total (for the CLI's summary table and logs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class SyncProgress(Protocol):
    """Receives progress while accounts sync (e.g. a Rich progress bar)."""

    def update(self, account: str, *, done: int, total: int, note: str) -> None:
        """`done` of the `total` reads of the cloud expected for `account` are finished
        (the groups read and the history pages; `total` grows when a first page announces
        more pages than planned)."""
        ...


@dataclass(slots=True)
class AccountReport:
    """The outcome of syncing one account; `error` is None on success."""

    account_id: int
    label: str
    chargers: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    quarantined: int = 0
    samples_linked: int = 0
    requests: int = 0
    retries: int = 0
    backfill_complete: bool = False
    # Chargers the account sees that another chargebook user owns: skipped (not synced).
    held_by_others: list[str] = field(default_factory=list)
    error: str | None = None
    error_retryable: bool = False


@dataclass(slots=True)
class SyncReport:
    """All accounts of one run."""

    accounts: list[AccountReport] = field(default_factory=list)

    @property
    def failed(self) -> list[AccountReport]:
        """Accounts that ended with an error."""
        return [account for account in self.accounts if account.error is not None]

    def total(self, name: str) -> int:
        """Sum of one integer column (`new`, `changed`, `requests`, ...) over all accounts."""
        return sum(int(getattr(account, name)) for account in self.accounts)


def reads_note(done: int, total: int) -> str:
    """'2 of 5 reads done': progress of a sync in reads of the cloud."""
    return f"{done} of {total} reads done"


def waiting_note(wait_s: float, reason: str, done: int, total: int) -> str:
    """What a sync waiting for its rate limit shows, the same in the CLI and the web:
    'waiting 40 s for the Wallbox rate limit (3 reads a minute) — 2 of 5 reads done'."""
    seconds = max(1, round(wait_s))
    return f"waiting {seconds} s for {reason} — {reads_note(done, total)}"
