"""Generated charger secrets are stored as a salted SHA-256 and checked without argon2 (the
reconnect storm); chosen passwords keep argon2; an argon2 hash of a generated secret is
upgraded on its first successful check, never over a rotation that happened meanwhile."""

from __future__ import annotations

import pytest
from websockets.exceptions import InvalidStatus

from chargebook.central_system import CentralSystem, issue_secret
from chargebook.central_system.auth import (
    SecretVerifier,
    generate_secret,
    hash_generated_secret,
    hash_secret,
    is_fast_hash,
    upgradable,
)
from chargebook.central_system.claiming import claim_charge_point
from chargebook.clock import FixedClock
from chargebook.db import Database, UserRepository
from chargebook.db.ocpp.chargers import OcppChargerRepository
from chargebook.domain.ocpp import OcppCredentials
from chargebook.settings import Settings

from .helpers import open_raw


def _credentials(stored: str | None, *, owner: int | None = 7) -> OcppCredentials:
    return OcppCredentials(
        charger_id=1,
        charge_point_id="CP-9",
        secret_hash=stored,
        allow_empty_password=False,
        owner_user_id=owner,
    )


def test_an_issued_secret_is_stored_fast_and_checks_exactly() -> None:
    issued = issue_secret()
    assert is_fast_hash(issued.stored)
    assert issued.secret not in issued.stored
    assert issued.secret not in repr(issued)
    verifier = SecretVerifier()
    credentials = _credentials(issued.stored)
    assert verifier.verify(credentials, issued.secret)
    assert not verifier.verify(credentials, issued.secret[:-1])
    assert not verifier.verify(credentials, issued.secret + "x")
    assert not verifier.verify(credentials, "")
    # Two issues of one secret differ (salted), and both check.
    again = hash_generated_secret(issued.secret)
    assert again != issued.stored
    assert verifier.verify(_credentials(again), issued.secret)


def test_a_damaged_fast_record_refuses_instead_of_crashing() -> None:
    verifier = SecretVerifier()
    for stored in ("$sha256$", "$sha256$zz$00", "$sha256$00$11$22"):
        assert not verifier.verify(_credentials(stored), generate_secret())


def test_only_generated_length_secrets_may_be_stored_fast() -> None:
    with pytest.raises(ValueError, match="generated secret"):
        hash_generated_secret("1234")


def test_which_argon2_hashes_are_upgraded() -> None:
    secret = generate_secret()
    argon2 = hash_secret(secret)
    assert upgradable(_credentials(argon2), secret)
    # Unclaimed (accept-unknown keeps the charger's own password), short, or already fast: no.
    assert not upgradable(_credentials(argon2, owner=None), secret)
    assert not upgradable(_credentials(hash_secret("1234"), owner=7), "1234")
    assert not upgradable(_credentials(hash_generated_secret(secret)), secret)


def make_user(database: Database, clock: FixedClock) -> int:
    with database.transaction() as session:
        return UserRepository(session, clock).create(email="o@example.com", password_hash="!").id


def _register(database: Database, clock: FixedClock, stored: str, owner: int | None) -> None:
    with database.transaction() as session:
        OcppChargerRepository(session, clock).register(
            "CP-9", secret_hash=stored, owner_user_id=owner
        )


def _stored(database: Database, clock: FixedClock) -> str | None:
    with database.transaction() as session:
        credentials = OcppChargerRepository(session, clock).credentials("CP-9")
    assert credentials is not None
    return credentials.secret_hash


async def _connect(database: Database, clock: FixedClock, password: str) -> None:
    system = CentralSystem(Settings(), database, clock=clock, response_timeout_s=2.0)
    system.port = await system.start("127.0.0.1", 0)  # type: ignore[attr-defined]
    try:
        ws = await open_raw(system, "CP-9", password)
        await ws.close()
    finally:
        await system.close()


async def test_an_owned_chargers_argon2_hash_is_upgraded_on_its_first_check(
    database: Database, clock: FixedClock
) -> None:
    owner = make_user(database, clock)
    secret = generate_secret()
    _register(database, clock, hash_secret(secret), owner)
    await _connect(database, clock, secret)
    stored = _stored(database, clock)
    assert stored is not None
    assert is_fast_hash(stored)
    await _connect(database, clock, secret)  # the upgraded record still lets it in
    with pytest.raises(InvalidStatus):
        await _connect(database, clock, generate_secret())


async def test_an_unclaimed_chargers_own_password_keeps_argon2(
    database: Database, clock: FixedClock
) -> None:
    secret = generate_secret()
    argon2 = hash_secret(secret)
    _register(database, clock, argon2, None)
    await _connect(database, clock, secret)
    assert _stored(database, clock) == argon2


def test_an_upgrade_never_overwrites_a_rotation(database: Database, clock: FixedClock) -> None:
    owner = make_user(database, clock)
    old = generate_secret()
    old_hash = hash_secret(old)
    _register(database, clock, old_hash, owner)
    claim = claim_charge_point(database, clock, "CP-9", owner)  # already hers: no rotation
    assert claim.secret is None
    with database.transaction() as session:  # the owner rotates the secret
        OcppChargerRepository(session, clock).set_secret(
            "CP-9", secret_hash=issue_secret().stored, allow_empty_password=False
        )
    rotated = _stored(database, clock)
    with database.transaction() as session:  # a late upgrade of the old secret
        replaced = OcppChargerRepository(session, clock).replace_secret_hash(
            "CP-9", old=old_hash, new=hash_generated_secret(old)
        )
    assert not replaced
    assert _stored(database, clock) == rotated
