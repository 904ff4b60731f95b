"""Users of chargebook: e-mail (unique, lower-cased), argon2 hash, role."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from chargebook.clock import Clock
from chargebook.db.accounts.tables import UserRow
from chargebook.db.core.writes import flush_or_conflict
from chargebook.domain.users import User, UserRole
from chargebook.errors import ConflictError, NotFoundError


def normalize_email(email: str) -> str:
    """The form an e-mail address is compared in: trimmed and lower-cased."""
    return email.strip().lower()


class UserRepository:
    """Reads and writes users; adds and flushes, never commits."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def create(self, *, email: str, password_hash: str, role: UserRole = UserRole.OWNER) -> User:
        """Add a user; `password_hash` is an argon2 encoded hash made by the caller.

        Raises:
            ConflictError: a user with this e-mail address exists.
        """
        normalized = normalize_email(email)
        if self._find_row(normalized) is not None:
            raise ConflictError(f"a user with e-mail {normalized} already exists")
        row = UserRow(
            email=normalized,
            password_hash=password_hash,
            role=role.value,
            created_at=self._clock.now(),
        )
        self._session.add(row)
        flush_or_conflict(self._session, f"a user with e-mail {normalized} already exists")
        return _to_domain(row)

    def get(self, user_id: int) -> User:
        """The user with this id.

        Raises:
            NotFoundError: no such user.
        """
        return _to_domain(self._row(user_id))

    def get_by_email(self, email: str) -> User | None:
        """The user with this e-mail address (any case), or None."""
        row = self._find_row(normalize_email(email))
        return None if row is None else _to_domain(row)

    def get_password_hash(self, user_id: int) -> str:
        """The stored argon2 hash, for the login check only.

        Raises:
            NotFoundError: no such user.
        """
        return self._row(user_id).password_hash

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        """Replace the stored hash (password change or argon2 re-hash).

        Raises:
            NotFoundError: no such user.
        """
        self._row(user_id).password_hash = password_hash
        self._session.flush()

    def list(self) -> list[User]:
        """All users, oldest first."""
        rows = self._session.scalars(select(UserRow).order_by(UserRow.id))
        return [_to_domain(row) for row in rows]

    def _row(self, user_id: int) -> UserRow:
        row = self._session.get(UserRow, user_id)
        if row is None:
            raise NotFoundError(f"no user with id {user_id}")
        return row

    def _find_row(self, normalized_email: str) -> UserRow | None:
        return self._session.scalars(
            select(UserRow).where(UserRow.email == normalized_email)
        ).one_or_none()


def _to_domain(row: UserRow) -> User:
    return User(id=row.id, email=row.email, role=UserRole(row.role), created_at=row.created_at)
