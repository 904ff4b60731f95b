"""People and the accounts they connect: users of chargebook and their myWallbox accounts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from chargebook.domain.account_keys import brand_account_key
from chargebook.domain.models import ChargerSource


class UserRole(StrEnum):
    """What a user may do: an owner sees their own chargers, an operator runs the platform."""

    OWNER = "owner"
    OPERATOR = "operator"


@dataclass(frozen=True, slots=True)
class User:
    """A person who logs in to chargebook (the password hash never leaves the book)."""

    id: int
    email: str
    role: UserRole
    created_at: datetime


@dataclass(frozen=True, slots=True)
class WallboxAccount:
    """A connected myWallbox account, without its password (see `WallboxCredentials`)."""

    id: int
    owner_user_id: int
    email: str
    disabled: bool
    has_tokens: bool
    created_at: datetime
    # The last sync that ended without an error, and the error of the last sync (None: ok).
    last_synced_at: datetime | None = None
    last_sync_error: str | None = None


@dataclass(frozen=True, slots=True)
class BrandAccount:
    """A connected account of a brand beside the Wallbox (issue 19: Easee, Zaptec, Peblar),
    without its secret. `username` is the e-mail (clouds) or the charger's address (local
    APIs); `key` is the account's key across the process (`domain.account_keys`)."""

    id: int
    owner_user_id: int
    source: ChargerSource
    username: str
    disabled: bool
    has_tokens: bool
    created_at: datetime
    last_synced_at: datetime | None = None
    last_sync_error: str | None = None

    @property
    def key(self) -> int:
        return brand_account_key(self.id)


@dataclass(frozen=True, slots=True)
class WallboxCredentials:
    """The decrypted login of a myWallbox account; the password is kept out of reprs."""

    email: str
    password: str = field(repr=False)
