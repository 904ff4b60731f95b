"""The verified-credential cache and the bounded argon2 pool (the reconnect storm): a cached
password never lets a wrong one in, a new password empties the charger's entry, and a charger
that dials twice during a storm costs one argon2 check."""

from __future__ import annotations

import asyncio
import threading

from chargebook.central_system.auth import SecretVerifier, hash_secret
from chargebook.central_system.verification import PooledVerifier
from chargebook.domain.ocpp import OcppCredentials

RIGHT = "right-secret-0123456789abcdef"
NEW = "new-secret-0123456789abcdefgh"


def _credentials(secret: str, charge_point_id: str = "CP-1") -> OcppCredentials:
    return OcppCredentials(
        charger_id=1,
        charge_point_id=charge_point_id,
        secret_hash=hash_secret(secret),
        allow_empty_password=False,
        owner_user_id=None,
    )


def test_a_cached_password_never_lets_a_wrong_one_in() -> None:
    verifier = SecretVerifier()
    credentials = _credentials(RIGHT)
    assert verifier.verify(credentials, RIGHT)
    assert verifier.is_cached(credentials, RIGHT)
    assert not verifier.is_cached(credentials, RIGHT + "x")
    assert not verifier.verify(credentials, RIGHT + "x")
    assert not verifier.verify(credentials, "")
    # Another charger with the same password is not in the cache until argon2 says so.
    assert not verifier.is_cached(_credentials(RIGHT, "CP-2"), RIGHT)


def test_a_new_password_invalidates_the_entry() -> None:
    verifier = SecretVerifier()
    old = _credentials(RIGHT)
    assert verifier.verify(old, RIGHT)
    rotated = _credentials(NEW)  # what the book holds after `ocpp claim` rotated the secret
    assert not verifier.is_cached(rotated, RIGHT)
    assert not verifier.verify(rotated, RIGHT)  # the old password is refused at once
    assert verifier.verify(rotated, NEW)
    assert not verifier.is_cached(old, RIGHT)  # one entry per charger: the old one is gone


class _CountingVerifier(SecretVerifier):
    def __init__(self, gate: threading.Event) -> None:
        super().__init__()
        self.calls = 0
        self._gate = gate

    def verify(self, credentials: OcppCredentials, password: str) -> bool:
        self.calls += 1
        self._gate.wait(5)
        return super().verify(credentials, password)


async def test_a_charger_dialling_twice_during_a_storm_costs_one_check() -> None:
    gate = threading.Event()
    pooled = PooledVerifier(threads=2)
    counting = _CountingVerifier(gate)
    pooled._verifier = counting
    credentials = _credentials(RIGHT)
    try:
        first = asyncio.ensure_future(pooled.check(credentials, RIGHT))
        second = asyncio.ensure_future(pooled.check(credentials, RIGHT))
        wrong = asyncio.ensure_future(pooled.check(credentials, "wrong-0123456789abcdef"))
        await asyncio.sleep(0.05)
        gate.set()
        assert await asyncio.gather(first, second, wrong) == [True, True, False]
        assert counting.calls == 2  # the right password once, the wrong one once
        assert await pooled.check(credentials, RIGHT)  # now from the cache
        assert counting.calls == 2
        assert not await pooled.check(credentials, "wrong-0123456789abcdef")
        assert counting.calls == 3  # a wrong password is never remembered
    finally:
        pooled.close()
