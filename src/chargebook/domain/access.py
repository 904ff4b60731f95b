"""Who may see what: personal access tokens and their scopes, and the viewer of a request.

`Viewer` is the single place where "an owner sees only their own chargers, an operator sees
all" is decided: services pass `viewer.owner_filter` to every repository query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from chargebook.domain.users import User, UserRole


class ApiScope(StrEnum):
    """What a personal access token may do on `/api/v1`."""

    CHARGERS_READ = "chargers:read"
    CHARGERS_WRITE = "chargers:write"
    SESSIONS_READ = "sessions:read"
    CREDITS_READ = "credits:read"
    # Manage the caller's webhook endpoints and notification settings (issue 21).
    WEBHOOKS_WRITE = "webhooks:write"
    NOTIFICATIONS_WRITE = "notifications:write"


@dataclass(frozen=True, slots=True)
class ApiToken:
    """A personal access token as listed (the token itself is shown once, never stored)."""

    id: int
    user_id: int
    name: str
    token_prefix: str
    scopes: frozenset[ApiScope]
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True, slots=True)
class Viewer:
    """The user a request acts for, with the scopes it may use (all, for a browser session)."""

    user: User
    scopes: frozenset[ApiScope] = frozenset(ApiScope)

    @property
    def is_operator(self) -> bool:
        return self.user.role is UserRole.OPERATOR

    @property
    def owner_filter(self) -> int | None:
        """The owner id every query must be limited to; None for an operator (sees all)."""
        return None if self.is_operator else self.user.id

    def may_see(self, owner_user_id: int | None) -> bool:
        """Whether what `owner_user_id` owns (an account, a charger) is the viewer's to see:
        an operator sees everything, an owner only their own."""
        return self.owner_filter is None or owner_user_id == self.owner_filter
