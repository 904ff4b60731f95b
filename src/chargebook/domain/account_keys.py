"""One key per connected account across the process, whichever table holds it.

The sync engine, its leases, the write group, the scheduler's jobs, the job queue's locks,
the backfills and `StoredCharger.account_id` all know an account by one integer. myWallbox
accounts (table `wallbox_accounts`) and the brand accounts of issue 19 (table
`brand_accounts`) are numbered separately, so the key keeps them apart: a myWallbox account's
key is its id (positive, exactly as before), a brand account's key is minus its id. Nothing
else needs to know which table an account lives in.
"""

from __future__ import annotations


def brand_account_key(brand_account_id: int) -> int:
    """The key of the brand account with this `brand_accounts` id."""
    if brand_account_id <= 0:
        raise ValueError(f"not a brand account id: {brand_account_id}")
    return -brand_account_id


def brand_account_id(key: int) -> int | None:
    """The `brand_accounts` id behind `key`, or None for a myWallbox account's key."""
    return -key if key < 0 else None


def is_brand_account(key: int) -> bool:
    """Whether `key` is a brand account's (not a myWallbox account's)."""
    return key < 0
