"""Encryption at rest for credentials and tokens (Fernet), with the key kept out of the book.

The key comes from `CHARGEBOOK_SECRET_KEY` or from `<data dir>/secret.key`, which is created on
first use with mode 0600. A missing, malformed or wrong key is a ConfigurationError that says
which, never garbage and never a traceback. A key is never created when data encrypted with an
earlier key exists (the callers' `encrypted_data` probes say what): the old key is missing, and
a new one would leave that data unreadable and put new secrets under a second key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from chargebook.errors import ConfigurationError
from chargebook.private_files import private_dir
from chargebook.settings import Settings

KEY_FILE_NAME = "secret.key"


# Says what encrypted data exists (e.g. "2 connected myWallbox accounts in the book"), or None.
EncryptedDataProbe = Callable[[], str | None]


class MissingSecretKeyError(ConfigurationError):
    """The secret key is gone while data encrypted with it is still there."""


class SecretBox:
    """Encrypts and decrypts short secrets (passwords, tokens) with one Fernet key."""

    def __init__(self, key: bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError) as exc:
            raise ConfigurationError(
                "the secret key is not a valid Fernet key (32 url-safe base64-encoded bytes)"
            ) from exc
        # A separate key for lookup hashes, so a hash never reveals anything about the Fernet key.
        self._lookup_key = hashlib.sha256(b"chargebook-lookup-hash:" + bytes(key)).digest()

    def lookup_hash(self, text: str) -> str:
        """A keyed HMAC-SHA256 (hex) of `text`: lets the book find or de-duplicate an encrypted
        value (e.g. an e-mail address) without storing it in the clear."""
        return hmac.new(self._lookup_key, text.encode("utf-8"), hashlib.sha256).hexdigest()

    def encrypt(self, plaintext: str) -> str:
        """Encrypt a string; the result is ASCII text safe to store in a column or file."""
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        """Decrypt what `encrypt` produced.

        Raises:
            ConfigurationError: the data was encrypted with another key or is damaged.
        """
        try:
            return self._fernet.decrypt(ciphertext.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError, ValueError) as exc:
            raise ConfigurationError(
                "stored secrets cannot be decrypted with this secret key: the key changed "
                "(check CHARGEBOOK_SECRET_KEY or the data dir's secret.key) or the data is damaged"
            ) from exc

    def __repr__(self) -> str:
        return "SecretBox(<key hidden>)"


def load_secret_box(
    settings: Settings,
    *,
    create: bool = True,
    encrypted_data: Iterable[EncryptedDataProbe] = (),
) -> SecretBox:
    """The SecretBox for these settings, creating the key file on first run if allowed.

    Args:
        settings: where the key is (`secret_key`, else `data_dir`/secret.key).
        create: make a new key file when there is none.
        encrypted_data: probes asked before a key is created; if one finds data encrypted
            with an earlier key, no key is made.

    Raises:
        MissingSecretKeyError: no key, yet a probe found encrypted data (says how to restore).
        ConfigurationError: no key and `create` is false, or the key is malformed, or the key
            file cannot be read or written.
    """
    if settings.secret_key is not None:
        return SecretBox(settings.secret_key.get_secret_value().encode("ascii", "replace"))
    key_path = settings.data_dir / KEY_FILE_NAME
    if key_path.exists():
        return SecretBox(_read_key(key_path))
    if not create:
        raise ConfigurationError(f"no secret key: set CHARGEBOOK_SECRET_KEY or restore {key_path}")
    for probe in encrypted_data:
        found = probe()
        if found:
            raise MissingSecretKeyError(
                f"the secret key is missing: {key_path} does not exist and "
                f"CHARGEBOOK_SECRET_KEY is not set, but {found} encrypted with a key. "
                f"chargebook did not create a new key, which would leave them unreadable. "
                f"Restore {key_path} from a backup (chmod 600), or set CHARGEBOOK_SECRET_KEY "
                f"to the old key. If the key is lost for good, remove those accounts and "
                f"token files and connect the accounts again."
            )
    return SecretBox(_create_key(key_path))


def _read_key(path: Path) -> bytes:
    try:
        return path.read_bytes().strip()
    except OSError as exc:
        raise ConfigurationError(f"cannot read the secret key file {path}: {exc.strerror}") from exc


def _create_key(path: Path) -> bytes:
    key = Fernet.generate_key()
    try:
        private_dir(path.parent)
        # O_EXCL: two processes starting at once must not each write a different key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key(path)
    except OSError as exc:
        raise ConfigurationError(
            f"cannot create the secret key file {path}: {exc.strerror}"
        ) from exc
    with os.fdopen(fd, "wb") as handle:
        handle.write(key + b"\n")
    return key
