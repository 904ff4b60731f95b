"""The one rule of ownership in the repository (issue 14): an owned charger keeps its owner,
its account and its facts against a write on another owner's behalf; both databases."""

from __future__ import annotations

import pytest

from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database, UserRepository
from chargebook.db.accounts.tables import UserRow, WallboxAccountRow
from chargebook.db.core.testing import example_charger
from chargebook.db.ocpp.chargers import OcppChargerRepository
from chargebook.domain.ownership import ChargerOwnedByAnotherError
from chargebook.errors import ConflictError


def add_owner(database: Database, clock: FixedClock, email: str) -> tuple[int, int]:
    """A user with a myWallbox account: (user id, account id)."""
    with database.transaction() as session:
        user = UserRow(email=email, password_hash="!", role="owner", created_at=clock.now())
        session.add(user)
        session.flush()
        account = WallboxAccountRow(
            owner_user_id=user.id,
            email_encrypted="x",
            email_lookup_hash=email,
            password_encrypted="x",
            disabled=False,
            created_at=clock.now(),
        )
        session.add(account)
        session.flush()
        return user.id, account.id


def test_another_owners_write_changes_nothing_and_is_refused(
    database: Database, clock: FixedClock
) -> None:
    alice, alice_account = add_owner(database, clock, "alice@example.com")
    bob, bob_account = add_owner(database, clock, "bob@example.com")
    with database.transaction() as session:
        chargers = ChargerRepository(session, clock)
        first = chargers.upsert(example_charger("1"), account_id=alice_account, owner_user_id=alice)
        with pytest.raises(ChargerOwnedByAnotherError, match="another chargebook user"):
            chargers.upsert(
                example_charger("1", name="Bob's now"), account_id=bob_account, owner_user_id=bob
            )
        # A write on nobody's behalf refreshes facts, never the account.
        chargers.upsert(example_charger("1", name="Renamed"), account_id=bob_account)
        assert not chargers.take_owner(first.id, bob)
        assert chargers.take_owner(first.id, alice)
    with database.session() as session:
        stored = ChargerRepository(session, clock).get(first.id)
    assert (stored.owner_user_id, stored.account_id) == (alice, alice_account)
    assert stored.charger.name == "Renamed"


def test_an_unowned_charger_takes_its_first_owner_only(
    database: Database, clock: FixedClock
) -> None:
    alice, alice_account = add_owner(database, clock, "alice@example.com")
    bob, _ = add_owner(database, clock, "bob@example.com")
    with database.transaction() as session:
        chargers = ChargerRepository(session, clock)
        unowned = chargers.upsert(example_charger("1"))
        taken = chargers.upsert(example_charger("1"), account_id=alice_account, owner_user_id=alice)
        assert (taken.id, taken.owner_user_id, taken.account_id) == (
            unowned.id,
            alice,
            alice_account,
        )
        ocpp = OcppChargerRepository(session, clock)
        ocpp.register("CP-1", secret_hash=None)
        ocpp.claim("CP-1", bob)
        with pytest.raises(ConflictError, match="belongs to another owner"):
            ocpp.claim("CP-1", alice)
        assert UserRepository(session, clock).get(bob).email == "bob@example.com"
