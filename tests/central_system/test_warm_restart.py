"""The opt-in warm restart: a clean stop hands the verified-credential cache to the next
process, encrypted, read once; it never lets a wrong or changed password in."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from websockets.exceptions import InvalidStatus

from chargebook.central_system import CentralSystem
from chargebook.central_system.auth import SecretVerifier, hash_secret
from chargebook.central_system.warm_restart import MAX_AGE_S, SNAPSHOT_NAME, WarmRestart
from chargebook.clock import FixedClock
from chargebook.crypto import SecretBox
from chargebook.db import Database
from chargebook.domain.ocpp import OcppCredentials
from chargebook.settings import Settings

from .helpers import CP_ID, SECRET, open_raw, register

RIGHT = "right-secret-0123456789abcdef"


def _credentials(secret: str) -> OcppCredentials:
    return OcppCredentials(
        charger_id=1,
        charge_point_id="CP-1",
        secret_hash=hash_secret(secret),
        allow_empty_password=False,
        owner_user_id=None,
    )


def test_the_next_process_takes_over_what_was_verified(tmp_path: Path) -> None:
    box = SecretBox(Fernet.generate_key())
    warm = WarmRestart(tmp_path / SNAPSHOT_NAME, box)
    credentials = _credentials(RIGHT)
    before = SecretVerifier()
    assert before.verify(credentials, RIGHT)
    assert warm.save(before, now=1000.0) == 1
    assert stat.S_IMODE(warm.path.stat().st_mode) == 0o600
    assert RIGHT not in warm.path.read_text()  # encrypted, and only a MAC inside anyway

    after = SecretVerifier()
    assert warm.restore(after, now=1000.0 + MAX_AGE_S - 1) == 1
    assert not warm.path.exists()  # read once
    assert after.is_cached(credentials, RIGHT)
    assert not after.is_cached(credentials, RIGHT + "x")
    assert not after.verify(credentials, RIGHT + "x")
    # The charger's secret changed while chargebook was down: the entry no longer matches.
    assert not after.is_cached(_credentials("another-secret-0123456789ab"), RIGHT)


@pytest.mark.parametrize("case", ["stale", "other-key", "damaged", "missing"])
def test_a_snapshot_that_cannot_be_trusted_means_a_cold_start(tmp_path: Path, case: str) -> None:
    box = SecretBox(Fernet.generate_key())
    path = tmp_path / SNAPSHOT_NAME
    before = SecretVerifier()
    assert before.verify(_credentials(RIGHT), RIGHT)
    if case != "missing":
        WarmRestart(path, box).save(before, now=1000.0)
    if case == "damaged":
        path.write_text("not a fernet token")
    reader = WarmRestart(path, SecretBox(Fernet.generate_key()) if case == "other-key" else box)
    now = 1000.0 + MAX_AGE_S + 1 if case == "stale" else 1000.0
    after = SecretVerifier()
    assert reader.restore(after, now=now) == 0
    assert not path.exists()
    assert not after.is_cached(_credentials(RIGHT), RIGHT)


async def test_a_restarted_central_system_lets_the_charger_in_without_argon2(
    database: Database, clock: FixedClock, tmp_path: Path
) -> None:
    register(database, clock, CP_ID)
    warm = WarmRestart(tmp_path / SNAPSHOT_NAME, SecretBox(Fernet.generate_key()))
    first = CentralSystem(Settings(), database, clock=clock, warm_restart=warm)
    first.port = await first.start("127.0.0.1", 0)  # type: ignore[attr-defined]
    ws = await open_raw(first)
    await ws.close()
    await first.close()
    assert warm.path.exists()

    second = CentralSystem(Settings(), database, clock=clock, warm_restart=warm)
    second.port = await second.start("127.0.0.1", 0)  # type: ignore[attr-defined]
    try:
        cache = second._admission.verifier.cache
        credentials = await second.recorder.credentials(CP_ID)
        assert credentials is not None
        assert cache.is_cached(credentials, SECRET)  # no argon2 needed for this charger
        ws = await open_raw(second)
        await ws.close()
        with pytest.raises(InvalidStatus) as refused:
            await open_raw(second, password="wrong-password-0123456789")
        assert refused.value.response.status_code == 401
    finally:
        await second.close()
