"""What the sync engine is given: the accounts to sync (`AccountSource`) and the leases that
keep two syncs of one account from running at once (`SyncLeases`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from chargebook.domain.models import Charger, ChargerSource
from chargebook.domain.ports import ChargerCloud


@dataclass(frozen=True, slots=True)
class AccountSource:
    """One cloud account to sync: its book id, a label for reports (e-mail) and its client.

    `known_chargers`: the account's chargers as just read by the caller (the connect wizard
    lists them before it starts the backfill); the sync then does not list them again.
    """

    account_id: int
    label: str
    cloud: ChargerCloud
    source: ChargerSource = ChargerSource.WALLBOX_CLOUD
    known_chargers: tuple[Charger, ...] | None = None


class SyncLeases(Protocol):
    """Who may sync an account now, shared by every engine of a process (`serve`'s scheduler
    and its backfills): an engine given leases syncs an account only while it holds the
    account's lease, so two syncs of one account never run at once.

    `try_acquire` never waits: a sync that finds the lease taken is skipped (an empty report,
    nothing written); the next turn tries again.
    """

    def try_acquire(self, account_id: int) -> bool:
        """Take the account's lease if it is free; True when taken."""
        ...

    def release(self, account_id: int) -> None:
        """Give the account's lease back."""
        ...
