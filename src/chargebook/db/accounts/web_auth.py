"""The web app's credentials in the book: login sessions, access tokens, failed sign-ins.

Only SHA-256 digests of session ids and tokens are stored; callers hash before asking.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from chargebook.db.accounts.tables import ApiTokenRow, LoginFailureRow, UserRow, WebSessionRow
from chargebook.domain.access import ApiScope, ApiToken
from chargebook.domain.users import User, UserRole
from chargebook.errors import NotFoundError


def _user(row: UserRow) -> User:
    return User(id=row.id, email=row.email, role=UserRole(row.role), created_at=row.created_at)


class WebSessionRepository:
    """Browser sessions; adds and flushes, never commits."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def create(
        self, *, user_id: int, token_sha256: str, now: datetime, expires_at: datetime
    ) -> None:
        """Store a new session for `user_id` (the caller made the random id and hashed it)."""
        self._session.add(
            WebSessionRow(
                user_id=user_id, token_sha256=token_sha256, created_at=now, expires_at=expires_at
            )
        )
        self._session.flush()

    def user_for(self, token_sha256: str, *, now: datetime) -> User | None:
        """The user of an unexpired session, or None."""
        row = self._session.execute(
            select(UserRow)
            .join(WebSessionRow, WebSessionRow.user_id == UserRow.id)
            .where(WebSessionRow.token_sha256 == token_sha256, WebSessionRow.expires_at > now)
        ).scalar_one_or_none()
        return None if row is None else _user(row)

    def delete(self, token_sha256: str) -> None:
        """End one session (logout); unknown ids are ignored."""
        self._session.execute(
            delete(WebSessionRow).where(WebSessionRow.token_sha256 == token_sha256)
        )

    def delete_for_user(self, user_id: int) -> None:
        """End every session of a user (after a password change)."""
        self._session.execute(delete(WebSessionRow).where(WebSessionRow.user_id == user_id))

    def delete_expired(self, *, now: datetime) -> int:
        """Forget expired sessions; returns how many."""
        result = self._session.execute(delete(WebSessionRow).where(WebSessionRow.expires_at <= now))
        count: int = result.rowcount  # type: ignore[attr-defined]
        return count


class ApiTokenRepository:
    """Personal access tokens; adds and flushes, never commits."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def create(
        self,
        *,
        user_id: int,
        name: str,
        token_sha256: str,
        token_prefix: str,
        scopes: Iterable[ApiScope],
        now: datetime,
    ) -> ApiToken:
        """Store a token's digest and scopes."""
        row = ApiTokenRow(
            user_id=user_id,
            name=name,
            token_sha256=token_sha256,
            token_prefix=token_prefix,
            scopes=" ".join(sorted({scope.value for scope in scopes})),
            created_at=now,
        )
        self._session.add(row)
        self._session.flush()
        return _token(row)

    def find_active(self, token_sha256: str) -> tuple[User, ApiToken] | None:
        """The user and token of an unrevoked token, or None."""
        found = self._session.execute(
            select(UserRow, ApiTokenRow)
            .join(ApiTokenRow, ApiTokenRow.user_id == UserRow.id)
            .where(ApiTokenRow.token_sha256 == token_sha256, ApiTokenRow.revoked_at.is_(None))
        ).one_or_none()
        return None if found is None else (_user(found[0]), _token(found[1]))

    def list_for_user(self, user_id: int) -> list[ApiToken]:
        """A user's tokens, newest first (revoked ones included)."""
        rows = self._session.scalars(
            select(ApiTokenRow)
            .where(ApiTokenRow.user_id == user_id)
            .order_by(ApiTokenRow.id.desc())
        )
        return [_token(row) for row in rows]

    def revoke(self, token_id: int, *, user_id: int, now: datetime) -> ApiToken:
        """Revoke one of the user's tokens (revoking twice keeps the first time).

        Raises:
            NotFoundError: the user has no token with this id.
        """
        row = self._session.get(ApiTokenRow, token_id)
        if row is None or row.user_id != user_id:
            raise NotFoundError(f"no access token with id {token_id}")
        if row.revoked_at is None:
            row.revoked_at = now
            self._session.flush()
        return _token(row)


def _token(row: ApiTokenRow) -> ApiToken:
    return ApiToken(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        token_prefix=row.token_prefix,
        scopes=frozenset(ApiScope(value) for value in row.scopes.split() if value),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


class LoginFailureRepository:
    """Failed sign-ins per key, for rate limiting; adds and flushes, never commits."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, keys: Iterable[str], *, at: datetime) -> None:
        """Count one failure for each key."""
        self._session.add_all(LoginFailureRow(key=key, at=at) for key in keys)
        self._session.flush()

    def count_since(self, key: str, since: datetime) -> tuple[int, datetime | None]:
        """Failures of `key` at or after `since`, and the oldest of them."""
        count, oldest = self._session.execute(
            select(func.count(LoginFailureRow.id), func.min(LoginFailureRow.at)).where(
                LoginFailureRow.key == key, LoginFailureRow.at >= since
            )
        ).one()
        return int(count), oldest

    def count_and_latest(self, key: str, since: datetime) -> tuple[int, datetime | None]:
        """Failures of `key` at or after `since`, and the newest of them."""
        count, newest = self._session.execute(
            select(func.count(LoginFailureRow.id), func.max(LoginFailureRow.at)).where(
                LoginFailureRow.key == key, LoginFailureRow.at >= since
            )
        ).one()
        return int(count), newest

    def clear(self, key: str) -> None:
        """Forget a key's failures (after a successful sign-in)."""
        self._session.execute(delete(LoginFailureRow).where(LoginFailureRow.key == key))

    def delete_before(self, moment: datetime) -> None:
        """Forget failures older than any window that still counts them."""
        self._session.execute(delete(LoginFailureRow).where(LoginFailureRow.at < moment))
