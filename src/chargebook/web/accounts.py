"""Accounts and credentials: sign-up, sign-in with throttling, browser sessions, access tokens.

One service for the web app and the CLI (`chargebook users`, `chargebook tokens`); it works on
the caller's SQLAlchemy session and never commits (the request or command owns the transaction).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta

from chargebook.clock import Clock
from chargebook.db import SqlSession, UserRepository
from chargebook.db.accounts.users import normalize_email
from chargebook.db.accounts.web_auth import (
    ApiTokenRepository,
    WebSessionRepository,
)
from chargebook.domain.access import ApiScope, ApiToken, Viewer
from chargebook.domain.users import User, UserRole
from chargebook.errors import NotFoundError
from chargebook.web.errors import InvalidCredentialsError, InvalidInputError
from chargebook.web.login_throttle import LoginLimits, LoginThrottle, check_signup_rate
from chargebook.web.security import (
    MIN_PASSWORD_LENGTH,
    VISIBLE_TOKEN_CHARS,
    Passwords,
    new_access_token,
    new_session_id,
    sha256_hex,
)

# Deliberately loose: one @, something on both sides, a dot in the domain, no spaces.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MAX_PASSWORD_LENGTH = 1024  # argon2 takes anything; this only bounds the work per request


def check_email(email: str) -> str:
    """The normalised address.

    Raises:
        InvalidInputError: it does not look like an e-mail address.
    """
    normalized = normalize_email(email)
    if len(normalized) > 320 or not _EMAIL.match(normalized):
        raise InvalidInputError("enter a valid e-mail address", field="email")
    return normalized


def check_password(password: str) -> str:
    """The password, if long enough.

    Raises:
        InvalidInputError: shorter than 10 or longer than 1024 characters.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(
            f"the password needs at least {MIN_PASSWORD_LENGTH} characters", field="password"
        )
    if len(password) > _MAX_PASSWORD_LENGTH:
        raise InvalidInputError("the password is too long", field="password")
    return password


class AccountService:
    """Users, their browser sessions and their access tokens, on one database session."""

    def __init__(
        self,
        session: SqlSession,
        clock: Clock,
        passwords: Passwords,
        *,
        limits: LoginLimits | None = None,
        session_days: int = 14,
    ) -> None:
        self._session = session
        self._clock = clock
        self._passwords = passwords
        self._limits = limits or LoginLimits()
        self._session_lifetime = timedelta(days=session_days)
        self._users = UserRepository(session, clock)

    # -- users -----------------------------------------------------------------------------

    def sign_up_from_web(self, *, email: str, password: str, client_ip: str | None) -> User:
        """An owner signing up on the web page: rate-limited per client, then `sign_up`.

        Raises:
            LoginRateLimitedError: too many sign-up attempts from this client this hour.
            InvalidInputError: bad e-mail or too short a password.
            ConflictError: the e-mail address is taken.
        """
        check_signup_rate(self._session, self._limits, client_ip=client_ip, now=self._clock.now())
        return self.sign_up(email=email, password=password)

    def sign_up(self, *, email: str, password: str, role: UserRole = UserRole.OWNER) -> User:
        """Create a user with a password (owners from the sign-up form, operators from the CLI).

        Raises:
            InvalidInputError: bad e-mail or too short a password.
            ConflictError: the e-mail address is taken.
        """
        address = check_email(email)
        password_hash = self._passwords.hash(check_password(password))
        return self._users.create(email=address, password_hash=password_hash, role=role)

    def set_password(self, *, email: str, password: str) -> User:
        """Set a user's password (also for users made by `accounts add`) and end their sessions.

        Raises:
            NotFoundError: no user with this e-mail address.
            InvalidInputError: too short a password.
        """
        user = self._users.get_by_email(email)
        if user is None:
            raise NotFoundError(f"no user with e-mail {normalize_email(email)}")
        self._users.set_password_hash(user.id, self._passwords.hash(check_password(password)))
        WebSessionRepository(self._session).delete_for_user(user.id)
        return user

    def authenticate(self, *, email: str, password: str, client_ip: str | None) -> User:
        """The user with this e-mail and password; failures slow down further attempts of the
        same client, of the client and of the account (`login_throttle`, no hard lockout).

        Raises:
            LoginRateLimitedError: wait `retry_after_s` first (checked before the password, so
                guessing on gains nothing).
            InvalidCredentialsError: unknown e-mail, wrong password, or no password set.
        """
        normalized = normalize_email(email)
        throttle = LoginThrottle(self._session, self._limits, email=normalized, client_ip=client_ip)
        now = self._clock.now()
        throttle.check(now)
        user = self._users.get_by_email(normalized)
        stored = self._users.get_password_hash(user.id) if user else None
        if user is None or not self._passwords.verify(stored, password):
            throttle.failed(now)
            raise InvalidCredentialsError("wrong e-mail address or password")
        throttle.succeeded()
        if stored is not None and self._passwords.needs_rehash(stored):
            self._users.set_password_hash(user.id, self._passwords.hash(password))
        return user

    # -- browser sessions ----------------------------------------------------------------

    def start_session(self, user: User) -> str:
        """A new session id for the cookie; the book keeps only its digest."""
        session_id = new_session_id()
        now = self._clock.now()
        WebSessionRepository(self._session).create(
            user_id=user.id,
            token_sha256=sha256_hex(session_id),
            now=now,
            expires_at=now + self._session_lifetime,
        )
        return session_id

    def user_for_session(self, session_id: str) -> User | None:
        """The user of an unexpired session id, or None."""
        return WebSessionRepository(self._session).user_for(
            sha256_hex(session_id), now=self._clock.now()
        )

    def end_session(self, session_id: str) -> None:
        """Sign out: the session id stops working at once."""
        WebSessionRepository(self._session).delete(sha256_hex(session_id))

    # -- personal access tokens ----------------------------------------------------------

    def create_token(
        self, user: User, *, name: str, scopes: Iterable[ApiScope]
    ) -> tuple[ApiToken, str]:
        """A new access token: the stored record and the token itself (shown once).

        Raises:
            InvalidInputError: no scopes, or a name that is empty or longer than 100.
        """
        wanted = frozenset(scopes)
        if not wanted:
            raise InvalidInputError("choose at least one scope", field="scopes")
        name = name.strip()
        if not 1 <= len(name) <= 100:
            raise InvalidInputError("the token needs a name of 1-100 characters", field="name")
        token = new_access_token()
        record = ApiTokenRepository(self._session).create(
            user_id=user.id,
            name=name,
            token_sha256=sha256_hex(token),
            token_prefix=token[:VISIBLE_TOKEN_CHARS],
            scopes=wanted,
            now=self._clock.now(),
        )
        return record, token

    def list_tokens(self, user: User) -> list[ApiToken]:
        """The user's tokens, newest first."""
        return ApiTokenRepository(self._session).list_for_user(user.id)

    def revoke_token(self, user: User, token_id: int) -> ApiToken:
        """Revoke one of the user's tokens.

        Raises:
            NotFoundError: the user has no such token.
        """
        return ApiTokenRepository(self._session).revoke(
            token_id, user_id=user.id, now=self._clock.now()
        )

    def viewer_for_token(self, token: str) -> Viewer | None:
        """The viewer an unrevoked bearer token acts as (its scopes), or None."""
        found = ApiTokenRepository(self._session).find_active(sha256_hex(token))
        if found is None:
            return None
        user, record = found
        return Viewer(user=user, scopes=record.scopes)
