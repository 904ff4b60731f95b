"""Wallbox tokens and where they are kept between runs.

Wallbox limits login sessions per account and logs out the owner's phone app past the limit,
so a client signs in once and then lives on refresh tokens. A `TokenStore` lets those tokens
survive a process (the CLI runs once per command). `EncryptedFileTokenStore` keeps them
Fernet-encrypted, one 0600 file per account, named by a hash of the e-mail.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from chargebook.crypto import EncryptedDataProbe, SecretBox, load_secret_box
from chargebook.errors import ConfigurationError
from chargebook.private_files import private_dir
from chargebook.settings import Settings

TOKEN_DIR_NAME = "wallbox-tokens"  # noqa: S105 (a directory name, not a secret)


@dataclass(frozen=True, slots=True)
class Tokens:
    """An access and a refresh token with their absolute expiry times (epoch milliseconds)."""

    access_token: str
    refresh_token: str
    access_expires_at_ms: int
    refresh_expires_at_ms: int
    user_id: int | None = None

    def __repr__(self) -> str:
        return (
            f"Tokens(access_token=<hidden>, refresh_token=<hidden>, "
            f"access_expires_at_ms={self.access_expires_at_ms}, "
            f"refresh_expires_at_ms={self.refresh_expires_at_ms}, user_id={self.user_id})"
        )

    __str__ = __repr__


@runtime_checkable
class TokenStore(Protocol):
    """Keeps one account's tokens between client instances."""

    def load(self, email: str) -> Tokens | None:
        """The stored tokens of `email`, or None when there are none (or they are unreadable)."""
        ...

    def save(self, email: str, tokens: Tokens) -> None:
        """Replace the stored tokens of `email`."""
        ...

    def clear(self, email: str) -> None:
        """Forget the tokens of `email` (no error when there were none)."""
        ...


class MemoryTokenStore:
    """Tokens in a dict: for tests and long-running processes that need no persistence."""

    def __init__(self) -> None:
        self._tokens: dict[str, Tokens] = {}

    def load(self, email: str) -> Tokens | None:
        return self._tokens.get(_account_key(email))

    def save(self, email: str, tokens: Tokens) -> None:
        self._tokens[_account_key(email)] = tokens

    def clear(self, email: str) -> None:
        self._tokens.pop(_account_key(email), None)

    def __repr__(self) -> str:
        return f"MemoryTokenStore(accounts={len(self._tokens)})"


class EncryptedFileTokenStore:
    """Tokens encrypted with a `SecretBox`, one file per account in `directory` (mode 0600)."""

    def __init__(self, directory: Path, box: SecretBox) -> None:
        self.directory = directory
        self._box = box

    @classmethod
    def from_settings(cls, settings: Settings) -> EncryptedFileTokenStore:
        """The store in `<data dir>/wallbox-tokens`, using the data dir's secret key.

        Raises:
            ConfigurationError: the secret key is missing, malformed or cannot be created.
        """
        directory = settings.data_dir / TOKEN_DIR_NAME
        box = load_secret_box(settings, encrypted_data=[token_cache_probe(directory)])
        return cls(directory, box)

    def path_for(self, email: str) -> Path:
        """The file holding `email`'s tokens; the name does not reveal the address."""
        digest = hashlib.sha256(_account_key(email).encode("utf-8")).hexdigest()
        return self.directory / f"{digest}.token"

    def load(self, email: str) -> Tokens | None:
        path = self.path_for(email)
        try:
            ciphertext = path.read_text(encoding="ascii")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeError) as exc:
            raise ConfigurationError(f"cannot read stored Wallbox tokens in {path}") from exc
        try:
            data = json.loads(self._box.decrypt(ciphertext.strip()))
            return Tokens(**data)
        except ConfigurationError:
            # Unreadable with this key: behave as "no tokens" so the client signs in again.
            return None
        except (ValueError, TypeError):
            return None

    def save(self, email: str, tokens: Tokens) -> None:
        path = self.path_for(email)
        ciphertext = self._box.encrypt(json.dumps(asdict(tokens)))
        try:
            private_dir(self.directory.parent)  # the data dir, when it is made here
            private_dir(self.directory)
            tmp = path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(ciphertext)
            os.chmod(tmp, 0o600)  # O_CREAT's mode does not apply to an existing file
            os.replace(tmp, path)  # atomic: a crash never leaves half a token file
        except OSError as exc:
            raise ConfigurationError(
                f"cannot store Wallbox tokens in {self.directory}: {exc.strerror}"
            ) from exc

    def clear(self, email: str) -> None:
        self.path_for(email).unlink(missing_ok=True)

    def __repr__(self) -> str:
        return f"EncryptedFileTokenStore({str(self.directory)!r})"


def token_cache_probe(directory: Path) -> EncryptedDataProbe:
    """A probe for `load_secret_box`: the token files in `directory`, encrypted with the key."""

    def probe() -> str | None:
        count = len(list(directory.glob("*.token"))) if directory.is_dir() else 0
        return f"{count} cached Wallbox token file(s) in {directory} are" if count else None

    return probe


def _account_key(email: str) -> str:
    return email.strip().lower()
