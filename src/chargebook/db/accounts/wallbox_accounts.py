"""Connected myWallbox accounts; e-mail, password and tokens are encrypted with the SecretBox.

The e-mail is also kept as a keyed hash (`SecretBox.lookup_hash`) so the book can refuse to
connect the same account twice without storing the address in the clear.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chargebook.clock import Clock
from chargebook.crypto import SecretBox
from chargebook.db.accounts.tables import WallboxAccountRow
from chargebook.db.accounts.users import normalize_email
from chargebook.db.core.writes import flush_or_conflict
from chargebook.domain.users import WallboxAccount, WallboxCredentials
from chargebook.errors import ConflictError, NotFoundError

_ALREADY_CONNECTED = "this myWallbox account is already connected"


def stored_account_count(session: Session) -> int:
    """How many accounts have credentials encrypted with the secret key (any owner)."""
    return int(session.scalar(select(func.count()).select_from(WallboxAccountRow)) or 0)


class WallboxAccountRepository:
    """Reads and writes myWallbox accounts; adds and flushes, never commits.

    Decrypting raises `ConfigurationError` (from `chargebook.crypto`) when the secret key is
    not the one the data was encrypted with.
    """

    def __init__(self, session: Session, box: SecretBox, clock: Clock) -> None:
        self._session = session
        self._box = box
        self._clock = clock

    def add(self, *, owner_user_id: int, email: str, password: str) -> WallboxAccount:
        """Connect an account for a user, storing e-mail and password encrypted.

        Raises:
            ConflictError: the account (same e-mail, any case) is already connected.
        """
        lookup = self._lookup_hash(email)
        if self._find_row(lookup) is not None:
            raise ConflictError(_ALREADY_CONNECTED)
        row = WallboxAccountRow(
            owner_user_id=owner_user_id,
            email_encrypted=self._box.encrypt(email.strip()),
            email_lookup_hash=lookup,
            password_encrypted=self._box.encrypt(password),
            disabled=False,
            created_at=self._clock.now(),
        )
        self._session.add(row)
        flush_or_conflict(self._session, _ALREADY_CONNECTED)
        return self._to_domain(row)

    def get(self, account_id: int) -> WallboxAccount:
        """The account with this id.

        Raises:
            NotFoundError: no such account.
        """
        return self._to_domain(self._row(account_id))

    def find_by_email(self, email: str) -> WallboxAccount | None:
        """The account connected with this e-mail address (any case), or None."""
        row = self._find_row(self._lookup_hash(email))
        return None if row is None else self._to_domain(row)

    def list(
        self, *, owner_user_id: int | None = None, include_disabled: bool = True
    ) -> list[WallboxAccount]:
        """Accounts, oldest first, optionally of one user and without disabled ones."""
        query = select(WallboxAccountRow).order_by(WallboxAccountRow.id)
        if owner_user_id is not None:
            query = query.where(WallboxAccountRow.owner_user_id == owner_user_id)
        if not include_disabled:
            query = query.where(WallboxAccountRow.disabled.is_(False))
        return [self._to_domain(row) for row in self._session.scalars(query)]

    def get_credentials(self, account_id: int) -> WallboxCredentials:
        """The decrypted e-mail and password, to log in to the Wallbox Cloud.

        Raises:
            NotFoundError: no such account.
            ConfigurationError: the secret key cannot decrypt them.
        """
        row = self._row(account_id)
        return WallboxCredentials(
            email=self._box.decrypt(row.email_encrypted),
            password=self._box.decrypt(row.password_encrypted),
        )

    def set_password(self, account_id: int, password: str) -> None:
        """Replace the stored (encrypted) password and forget the tokens of the old one."""
        row = self._row(account_id)
        row.password_encrypted = self._box.encrypt(password)
        row.tokens_encrypted = None
        self._session.flush()

    def set_disabled(self, account_id: int, disabled: bool) -> None:
        """Stop (or resume) syncing this account."""
        self._row(account_id).disabled = disabled
        self._session.flush()

    def save_tokens(self, account_id: int, tokens: Mapping[str, Any]) -> None:
        """Store the account's API tokens (a JSON-serialisable mapping), encrypted."""
        self._row(account_id).tokens_encrypted = self._box.encrypt(json.dumps(dict(tokens)))
        self._session.flush()

    def load_tokens(self, account_id: int) -> dict[str, Any] | None:
        """The decrypted tokens, or None if none are stored.

        Raises:
            NotFoundError: no such account.
            ConfigurationError: the secret key cannot decrypt them.
        """
        encrypted = self._row(account_id).tokens_encrypted
        if encrypted is None:
            return None
        tokens: dict[str, Any] = json.loads(self._box.decrypt(encrypted))
        return tokens

    def clear_tokens(self, account_id: int) -> None:
        """Forget the stored tokens (e.g. after the cloud rejected them)."""
        self._row(account_id).tokens_encrypted = None
        self._session.flush()

    def _lookup_hash(self, email: str) -> str:
        return self._box.lookup_hash(normalize_email(email))

    def _row(self, account_id: int) -> WallboxAccountRow:
        row = self._session.get(WallboxAccountRow, account_id)
        if row is None:
            raise NotFoundError(f"no Wallbox account with id {account_id}")
        return row

    def _find_row(self, lookup_hash: str) -> WallboxAccountRow | None:
        return self._session.scalars(
            select(WallboxAccountRow).where(WallboxAccountRow.email_lookup_hash == lookup_hash)
        ).one_or_none()

    def _to_domain(self, row: WallboxAccountRow) -> WallboxAccount:
        return WallboxAccount(
            id=row.id,
            owner_user_id=row.owner_user_id,
            email=self._box.decrypt(row.email_encrypted),
            disabled=row.disabled,
            has_tokens=row.tokens_encrypted is not None,
            created_at=row.created_at,
            last_synced_at=row.last_synced_at,
            last_sync_error=row.last_sync_error,
        )
