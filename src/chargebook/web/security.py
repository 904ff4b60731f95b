"""Secrets of the web app: argon2 passwords, random session ids and access tokens, CSRF tokens.

- Passwords are argon2id hashes (argon2-cffi). The marker "!" (accounts made by
  `chargebook accounts add`) never verifies.
- Session ids and access tokens are 256-bit random strings; the book keeps their SHA-256.
- A CSRF token is an HMAC of the browser's session id (or, before sign-in, of a random
  pre-session cookie) under a key derived from the secret key: per session, nothing stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from chargebook.crypto import SecretBox

ACCESS_TOKEN_PREFIX = "cbk_"  # noqa: S105 (a marker, not a secret)
# Shown in token lists so a person can tell tokens apart; 4 + 6 characters of 43 random ones.
VISIBLE_TOKEN_CHARS = 10
MIN_PASSWORD_LENGTH = 10


class Passwords:
    """Hashes and checks passwords with argon2id; cheaper parameters only for tests."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        # Verifying against this keeps a sign-in for an unknown e-mail as slow as a real one;
        # made on first use, so commands that never verify do not pay for it.
        self._dummy_hash: str | None = None

    def hash(self, password: str) -> str:
        """An argon2id encoded hash of `password`."""
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether `password` matches; False for a missing or unusable hash (same cost)."""
        try:
            if password_hash is None or not password_hash.startswith("$argon2"):
                if self._dummy_hash is None:
                    self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))
                self._hasher.verify(self._dummy_hash, password)
                return False
            return self._hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash was made with older parameters than the hasher's."""
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return False

    def __repr__(self) -> str:
        return "Passwords(argon2id)"


def new_session_id() -> str:
    """A fresh opaque session id for the cookie (256 random bits)."""
    return secrets.token_urlsafe(32)


def new_access_token() -> str:
    """A fresh personal access token, `cbk_` + 256 random bits; shown to its owner once."""
    return ACCESS_TOKEN_PREFIX + secrets.token_urlsafe(32)


def sha256_hex(secret: str) -> str:
    """The digest under which a session id or access token is stored and looked up."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def csrf_token_for(box: SecretBox, seed: str) -> str:
    """The CSRF token of a browser whose session id (or pre-session cookie) is `seed`."""
    return box.lookup_hash("csrf:" + seed)


def csrf_token_matches(box: SecretBox, seed: str | None, token: str | None) -> bool:
    """Constant-time check of a submitted CSRF token against the browser's seed."""
    if not seed or not token:
        return False
    # As bytes: compare_digest refuses str with non-ASCII characters (a TypeError, a 500).
    expected = csrf_token_for(box, seed).encode("ascii")
    return hmac.compare_digest(expected, token.encode("utf-8", "surrogatepass"))
