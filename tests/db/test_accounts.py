"""Users and myWallbox accounts: uniqueness, and credentials that are encrypted at rest."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from chargebook.clock import FixedClock
from chargebook.crypto import SecretBox
from chargebook.db import Database, UserRepository, WallboxAccountRepository
from chargebook.db.accounts.tables import WallboxAccountRow
from chargebook.domain import UserRole
from chargebook.errors import ConfigurationError, ConflictError, NotFoundError

EMAIL = "Owner@Example.com"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def box() -> SecretBox:
    return SecretBox(Fernet.generate_key())


def _owner(database: Database, clock: FixedClock) -> int:
    with database.transaction() as session:
        return (
            UserRepository(session, clock)
            .create(email="me@example.com", password_hash="$argon2id$x")
            .id
        )


def test_users_are_found_by_email_in_any_case(database: Database, clock: FixedClock) -> None:
    with database.transaction() as session:
        users = UserRepository(session, clock)
        created = users.create(
            email=" Me@Example.com ", password_hash="$argon2id$h", role=UserRole.OPERATOR
        )
    with database.session() as session:
        users = UserRepository(session, clock)
        assert users.get_by_email("ME@example.COM") == created
        assert users.get_by_email("other@example.com") is None
        assert created.email == "me@example.com"
        assert created.role is UserRole.OPERATOR
        assert created.created_at == clock.now()
        assert users.get_password_hash(created.id) == "$argon2id$h"


def test_a_second_user_with_the_same_email_is_a_conflict(
    database: Database, clock: FixedClock
) -> None:
    with database.transaction() as session:
        UserRepository(session, clock).create(email="me@example.com", password_hash="h")
    with database.transaction() as session:
        with pytest.raises(ConflictError):
            UserRepository(session, clock).create(email="ME@example.com", password_hash="h")
        # The caller's transaction is still usable after the refused insert.
        assert len(UserRepository(session, clock).list()) == 1


def test_unknown_user_is_not_found(database: Database, clock: FixedClock) -> None:
    with database.session() as session, pytest.raises(NotFoundError):
        UserRepository(session, clock).get(404)


def test_account_credentials_are_encrypted_at_rest_and_decrypt_back(
    database: Database, clock: FixedClock, box: SecretBox
) -> None:
    owner_id = _owner(database, clock)
    with database.transaction() as session:
        account = WallboxAccountRepository(session, box, clock).add(
            owner_user_id=owner_id, email=EMAIL, password=PASSWORD
        )
    assert account.email == EMAIL
    assert PASSWORD not in repr(account)
    with database.session() as session:
        raw = session.execute(
            select(
                WallboxAccountRow.email_encrypted,
                WallboxAccountRow.email_lookup_hash,
                WallboxAccountRow.password_encrypted,
            )
        ).one()
        for column in raw:
            assert EMAIL.lower() not in column.lower()
            assert PASSWORD not in column
        credentials = WallboxAccountRepository(session, box, clock).get_credentials(account.id)
    assert (credentials.email, credentials.password) == (EMAIL, PASSWORD)
    assert PASSWORD not in repr(credentials)


def test_the_same_wallbox_account_cannot_be_connected_twice(
    database: Database, clock: FixedClock, box: SecretBox
) -> None:
    owner_id = _owner(database, clock)
    with database.transaction() as session:
        accounts = WallboxAccountRepository(session, box, clock)
        accounts.add(owner_user_id=owner_id, email=EMAIL, password=PASSWORD)
        with pytest.raises(ConflictError):
            accounts.add(owner_user_id=owner_id, email=EMAIL.upper(), password="other")
        assert accounts.find_by_email(" owner@example.com") is not None
        assert [a.email for a in accounts.list(owner_user_id=owner_id)] == [EMAIL]


def test_tokens_are_stored_encrypted_and_can_be_cleared(
    database: Database, clock: FixedClock, box: SecretBox
) -> None:
    owner_id = _owner(database, clock)
    tokens = {"jwt": "eyJhbGciOi.secret-jwt", "refresh_token": "refresh-secret", "ttl": 900}
    with database.transaction() as session:
        accounts = WallboxAccountRepository(session, box, clock)
        account_id = accounts.add(owner_user_id=owner_id, email=EMAIL, password=PASSWORD).id
        assert accounts.load_tokens(account_id) is None
        accounts.save_tokens(account_id, tokens)
    with database.session() as session:
        stored = session.scalars(select(WallboxAccountRow.tokens_encrypted)).one()
        assert stored is not None
        assert "secret-jwt" not in stored
        assert "refresh-secret" not in stored
        accounts = WallboxAccountRepository(session, box, clock)
        assert accounts.load_tokens(account_id) == tokens
        assert accounts.get(account_id).has_tokens
        accounts.clear_tokens(account_id)
        assert accounts.load_tokens(account_id) is None


def test_a_wrong_secret_key_is_a_configuration_error_not_garbage(
    database: Database, clock: FixedClock, box: SecretBox
) -> None:
    owner_id = _owner(database, clock)
    with database.transaction() as session:
        accounts = WallboxAccountRepository(session, box, clock)
        account_id = accounts.add(owner_user_id=owner_id, email=EMAIL, password=PASSWORD).id
        accounts.save_tokens(account_id, {"jwt": "t"})
    other_key = SecretBox(Fernet.generate_key())
    with database.session() as session:
        accounts = WallboxAccountRepository(session, other_key, clock)
        with pytest.raises(ConfigurationError, match="cannot be decrypted") as caught:
            accounts.get_credentials(account_id)
        assert PASSWORD not in str(caught.value)
        with pytest.raises(ConfigurationError):
            accounts.load_tokens(account_id)
        with pytest.raises(ConfigurationError):
            accounts.list()
