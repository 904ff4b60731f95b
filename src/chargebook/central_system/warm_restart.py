"""Opt-in (`CHARGEBOOK_OCPP_WARM_RESTART`): hand the verified-credential cache to the next
process across a planned restart, so a fleet reconnecting after it costs no argon2.

Why it exists: the in-memory cache (`auth.SecretVerifier`) is empty in a new process, and a
fleet's first checks cost ~20-25 ms of CPU each: 2,000 chargers are 40-50 CPU seconds, on 2
cores far over the 5 s target however they are scheduled (bench/README.md, "OCPP reconnect
storm"). Only skipping the check for secrets this installation has already verified can meet
it, and that needs the previous process's verdicts.

What is written, at a clean stop only: the cache's random HMAC key and its entries (charge
point id -> (the stored argon2 hash, HMAC-SHA256 of the accepted password under that key)),
encrypted with the book's secret box (Fernet, `crypto.py`: the key that already protects the
stored Wallbox credentials), mode 0600, in the data dir. The next start reads it and deletes
it at once, and ignores it when older than `MAX_AGE_S` or unreadable. The book's argon2 hashes
are untouched, and an entry only matches while the charger's stored hash is the one it was
made for (a new password has a new hash).

The trade-off, the reason it is off by default: while the file exists (a stop, until the next
start), someone holding both it and the secret key could test guesses of a password at HMAC
speed instead of argon2 speed. For the secrets chargebook generates (192 random bits) that
changes nothing; for a weak password a charger chose itself (`ocpp_accept_unknown`), it does.
The same person could already decrypt the Wallbox credentials with that key.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import time
from pathlib import Path

from chargebook.central_system.auth import SecretVerifier
from chargebook.crypto import SecretBox
from chargebook.errors import ConfigurationError
from chargebook.private_files import private_file

LOG = logging.getLogger("chargebook.central_system.warm_restart")
SNAPSHOT_NAME = "ocpp-verified.snapshot"
MAX_AGE_S = 600.0  # a restart, not a machine that was off for the night
_VERSION = 1


class WarmRestart:
    """Saves the verifier's cache at a clean stop and restores it at the next start."""

    def __init__(self, path: Path, box: SecretBox) -> None:
        self.path = path
        self._box = box

    def restore(self, verifier: SecretVerifier, *, now: float | None = None) -> int:
        """Load and delete the snapshot; the number of entries taken over (0 if none)."""
        try:
            token = self.path.read_text(encoding="ascii")
        except FileNotFoundError:
            return 0
        except OSError as exc:
            LOG.warning("OCPP warm restart: cannot read %s (%s); cold start", self.path, exc)
            return 0
        finally:
            self._remove()  # read once, whatever it holds
        try:
            data = json.loads(self._box.decrypt(token))
            if data.get("v") != _VERSION:
                raise ValueError("unknown version")
            written = float(data["written"])
            key = base64.b64decode(data["key"])
            entries = {
                cp: (str(stored), base64.b64decode(mac))
                for cp, (stored, mac) in dict(data["entries"]).items()
            }
        except (ConfigurationError, ValueError, KeyError, TypeError) as exc:
            LOG.warning("OCPP warm restart: snapshot unreadable (%s); cold start", exc)
            return 0
        age = (time.time() if now is None else now) - written
        if not 0 <= age <= MAX_AGE_S:
            LOG.info("OCPP warm restart: snapshot %.0f s old; cold start", age)
            return 0
        verifier.adopt(key, entries)
        LOG.info("OCPP warm restart: %d verified chargers taken over", len(entries))
        return len(entries)

    def save(self, verifier: SecretVerifier, *, now: float | None = None) -> int:
        """Write the snapshot (replacing any); the number of entries written."""
        key, entries = verifier.export()
        payload = {
            "v": _VERSION,
            "written": time.time() if now is None else now,
            "key": base64.b64encode(key).decode("ascii"),
            "entries": {
                cp: [stored, base64.b64encode(mac).decode("ascii")]
                for cp, (stored, mac) in entries.items()
            },
        }
        staging = private_file(self.path.with_suffix(".tmp"))
        staging.write_text(self._box.encrypt(json.dumps(payload)), encoding="ascii")
        os.replace(staging, self.path)
        return len(entries)

    def _remove(self) -> None:
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            LOG.warning("OCPP warm restart: cannot delete %s (%s)", self.path, exc)
