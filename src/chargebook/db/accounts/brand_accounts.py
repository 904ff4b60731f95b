"""Connected accounts of the brands beside the Wallbox (issue 19: Easee, Zaptec, Peblar).

The login's username (an e-mail, or a Peblar's address on the home network), its secret
(password or API token) and the API's tokens are encrypted with the SecretBox; the username is
also kept as a keyed hash (`SecretBox.lookup_hash`) so the book refuses to connect one account
of a brand twice without storing the username in the clear (as `wallbox_accounts` does).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chargebook.clock import Clock
from chargebook.crypto import SecretBox
from chargebook.db.accounts.tables import BRAND_SOURCE_VALUES, BrandAccountRow
from chargebook.db.core.writes import flush_or_conflict
from chargebook.domain.brands import BrandLogin
from chargebook.domain.models import ChargerSource
from chargebook.domain.users import BrandAccount
from chargebook.errors import ConflictError, NotFoundError


def normalize_username(username: str) -> str:
    """One spelling per login: e-mail addresses and host names are case-insensitive, and a
    local address typed with its scheme or a trailing slash is the same charger."""
    text = username.strip().lower()
    for scheme in ("http://", "https://"):
        text = text.removeprefix(scheme)
    return text.rstrip("/")


def stored_brand_account_count(session: Session) -> int:
    """How many brand accounts have a login encrypted with the secret key (any owner)."""
    return int(session.scalar(select(func.count()).select_from(BrandAccountRow)) or 0)


class BrandAccountRepository:
    """Reads and writes brand accounts; adds and flushes, never commits.

    Decrypting raises `ConfigurationError` (from `chargebook.crypto`) when the secret key is
    not the one the data was encrypted with.
    """

    def __init__(self, session: Session, box: SecretBox, clock: Clock) -> None:
        self._session, self._box, self._clock = session, box, clock

    def add(self, *, owner_user_id: int, login: BrandLogin) -> BrandAccount:
        """Connect `login`'s account for a user, its username and secret encrypted.

        Raises:
            ConflictError: this brand's account with that username is already connected.
        """
        if login.source.value not in BRAND_SOURCE_VALUES:
            raise ConflictError(f"{login.source.value} accounts are not brand accounts")
        lookup = self._lookup_hash(login.username)
        message = f"this {_brand(login.source)} account is already connected"
        if self._find_row(login.source, lookup) is not None:
            raise ConflictError(message)
        row = BrandAccountRow(
            owner_user_id=owner_user_id,
            source=login.source.value,
            username_encrypted=self._box.encrypt(login.username.strip()),
            username_lookup_hash=lookup,
            secret_encrypted=self._box.encrypt(login.secret),
            disabled=False,
            created_at=self._clock.now(),
        )
        self._session.add(row)
        flush_or_conflict(self._session, message)
        return self._to_domain(row)

    def get(self, account_id: int) -> BrandAccount:
        """The account with this `brand_accounts` id.

        Raises:
            NotFoundError: no such account.
        """
        return self._to_domain(self._row(account_id))

    def find(self, source: ChargerSource, username: str) -> BrandAccount | None:
        """The brand's account connected with this username (any case), or None."""
        row = self._find_row(source, self._lookup_hash(username))
        return None if row is None else self._to_domain(row)

    def list(
        self,
        *,
        owner_user_id: int | None = None,
        include_disabled: bool = True,
        sources: frozenset[ChargerSource] | None = None,
    ) -> list[BrandAccount]:
        """Accounts, oldest first; optionally of one user, enabled ones only, of `sources`."""
        query = select(BrandAccountRow).order_by(BrandAccountRow.id)
        if owner_user_id is not None:
            query = query.where(BrandAccountRow.owner_user_id == owner_user_id)
        if not include_disabled:
            query = query.where(BrandAccountRow.disabled.is_(False))
        if sources is not None:
            query = query.where(BrandAccountRow.source.in_(sorted(s.value for s in sources)))
        return [self._to_domain(row) for row in self._session.scalars(query)]

    def login(self, account_id: int) -> BrandLogin:
        """The decrypted login, to open the brand's client.

        Raises:
            NotFoundError: no such account.
            ConfigurationError: the secret key cannot decrypt it.
        """
        row = self._row(account_id)
        return BrandLogin(
            source=ChargerSource(row.source),
            username=self._box.decrypt(row.username_encrypted),
            secret=self._box.decrypt(row.secret_encrypted),
        )

    def set_secret(self, account_id: int, secret: str) -> None:
        """Replace the stored (encrypted) secret and forget the tokens of the old one."""
        row = self._row(account_id)
        row.secret_encrypted = self._box.encrypt(secret)
        row.tokens_encrypted = None
        self._session.flush()

    def set_disabled(self, account_id: int, disabled: bool) -> None:
        """Stop (or resume) syncing this account."""
        self._row(account_id).disabled = disabled
        self._session.flush()

    def save_tokens(self, account_id: int, tokens: Mapping[str, str]) -> None:
        """Store the account's API tokens (text fields), encrypted."""
        self._row(account_id).tokens_encrypted = self._box.encrypt(json.dumps(dict(tokens)))
        self._session.flush()

    def load_tokens(self, account_id: int) -> dict[str, str] | None:
        """The decrypted tokens, or None if none are stored.

        Raises:
            NotFoundError: no such account.
            ConfigurationError: the secret key cannot decrypt them.
        """
        encrypted = self._row(account_id).tokens_encrypted
        if encrypted is None:
            return None
        decoded = json.loads(self._box.decrypt(encrypted))
        return {str(name): str(value) for name, value in decoded.items()}

    def clear_tokens(self, account_id: int) -> None:
        """Forget the stored tokens (e.g. after the API rejected them)."""
        self._row(account_id).tokens_encrypted = None
        self._session.flush()

    def _lookup_hash(self, username: str) -> str:
        return self._box.lookup_hash(normalize_username(username))

    def _row(self, account_id: int) -> BrandAccountRow:
        row = self._session.get(BrandAccountRow, account_id)
        if row is None:
            raise NotFoundError(f"no brand account with id {account_id}")
        return row

    def _find_row(self, source: ChargerSource, lookup_hash: str) -> BrandAccountRow | None:
        return self._session.scalars(
            select(BrandAccountRow).where(
                BrandAccountRow.source == source.value,
                BrandAccountRow.username_lookup_hash == lookup_hash,
            )
        ).one_or_none()

    def _to_domain(self, row: BrandAccountRow) -> BrandAccount:
        return BrandAccount(
            id=row.id,
            owner_user_id=row.owner_user_id,
            source=ChargerSource(row.source),
            username=self._box.decrypt(row.username_encrypted),
            disabled=row.disabled,
            has_tokens=row.tokens_encrypted is not None,
            created_at=row.created_at,
            last_synced_at=row.last_synced_at,
            last_sync_error=row.last_sync_error,
        )


def _brand(source: ChargerSource) -> str:
    return {
        ChargerSource.EASEE_CLOUD: "Easee",
        ChargerSource.ZAPTEC_CLOUD: "Zaptec",
        ChargerSource.PEBLAR_LOCAL: "Peblar",
    }.get(source, source.value)
