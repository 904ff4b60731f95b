"""OCPP security profile 1: HTTP Basic auth with a per-charger secret, stored as argon2 hash.

The username must be the charge point id. A charger that can only send an empty password is
let in only when its record explicitly allows it. Verified secrets are remembered as a keyed
HMAC (per process key), so a reconnecting charger does not cost an argon2 verification again.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from chargebook.domain.ocpp import OcppCredentials

# OWASP's minimum argon2id settings: generated secrets have 160+ bits of entropy, so the hash
# only has to resist a stolen database, and 2,000 reconnecting chargers must stay affordable.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
# OCPP 1.6 security: AuthorizationKey is 16-40 characters.
SECRET_CHARACTERS = 32


def generate_secret() -> str:
    """A new random secret (32 URL-safe characters) for a charger's Basic-auth password."""
    return secrets.token_urlsafe(24)


def hash_secret(secret: str) -> str:
    """The argon2id encoded hash of `secret` (the only form the book stores)."""
    return _HASHER.hash(secret)


def parse_basic_auth(header: str | None) -> tuple[str, str] | None:
    """(username, password) from an `Authorization: Basic ...` header, or None if absent or
    malformed."""
    if not header:
        return None
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, password = decoded.partition(":")
    return (username, password) if sep else None


class SecretVerifier:
    """Checks a charger's password against its stored hash, caching successes."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)
        # charge point id -> (the stored hash argon2 accepted the password against, its MAC):
        # a new password has a new hash, so the entry stops matching the moment it is stored.
        self._verified: dict[str, tuple[str, bytes]] = {}

    def is_cached(self, credentials: OcppCredentials, password: str) -> bool:
        """True if this exact password was verified against this exact hash before."""
        if credentials.secret_hash is None:
            return False
        known = self._verified.get(credentials.charge_point_id)
        return (
            known is not None
            and known[0] == credentials.secret_hash
            and hmac.compare_digest(known[1], self.mac(password))
        )

    def verify(self, credentials: OcppCredentials, password: str) -> bool:
        """Whether `password` may open a connection for this charger (argon2; may take ~20 ms,
        so call it off the event loop)."""
        if password == "":
            return credentials.allow_empty_password
        if credentials.secret_hash is None:
            return False
        if self.is_cached(credentials, password):
            return True
        try:
            _HASHER.verify(credentials.secret_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        self._verified[credentials.charge_point_id] = (credentials.secret_hash, self.mac(password))
        return True

    def mac(self, password: str) -> bytes:
        """The process-keyed HMAC-SHA256 of `password` (what the cache holds; useless outside
        this process, whose random key it needs)."""
        return hmac.new(self._key, password.encode("utf-8"), hashlib.sha256).digest()

    def export(self) -> tuple[bytes, dict[str, tuple[str, bytes]]]:
        """The HMAC key and the entries (charge point id -> (stored hash, MAC)), for
        `warm_restart.py` to hand to the next process; nothing else may persist them."""
        return self._key, dict(self._verified)

    def adopt(self, key: bytes, entries: dict[str, tuple[str, bytes]]) -> None:
        """Take over a previous process's key and entries (replacing this one's)."""
        self._key = key
        self._verified = dict(entries)
