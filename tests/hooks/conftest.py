"""Fixtures of the webhook and notification tests: users on a migrated book, a secret box."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from cryptography.fernet import Fernet

from chargebook.clock import FixedClock
from chargebook.crypto import SecretBox
from chargebook.db import Database, UserRepository
from chargebook.domain.access import Viewer
from chargebook.domain.users import UserRole


@dataclass
class People:
    owner_a: Viewer
    owner_b: Viewer
    operator: Viewer


@pytest.fixture
def box() -> SecretBox:
    return SecretBox(Fernet.generate_key())


@pytest.fixture
def people(database: Database, clock: FixedClock) -> People:
    with database.transaction() as session:
        users = UserRepository(session, clock)
        a = users.create(email="a@example.com", password_hash="x")
        b = users.create(email="b@example.com", password_hash="x")
        op = users.create(email="op@example.com", password_hash="x", role=UserRole.OPERATOR)
    return People(Viewer(a), Viewer(b), Viewer(op))
