"""Issue 14: who owns a charger, through the sync engine on the real book (both databases).

A second account that sees the charger takes nothing; the operator's transfer (a house sale)
is audited, keeps the earlier owner's sessions (also history found after the transfer) with
the earlier owner and gives the sessions after it to the new owner; nothing is duplicated.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from chargebook.clock import FixedClock
from chargebook.db import AuditLogRepository, ChargerRepository, Database, SessionRepository
from chargebook.db.accounts.tables import UserRow, WallboxAccountRow
from chargebook.db.book.store import book_opener
from chargebook.db.book.tables import ChargingSessionRow, SessionSampleRow
from chargebook.db.book.transfers import AUDIT_ACTION, transfer_charger
from chargebook.domain.models import ChargerSource, ChargerState
from chargebook.errors import ConflictError, NotFoundError
from chargebook.sync import AccountSource, SyncConfig, SyncEngine
from chargebook.sync.recorder import Recorder
from chargebook.sync.report import AccountReport

from .fakes import FakeCloud, make_charger, raw_session
from .test_recorder import status

CONFIG = SyncConfig(
    backfill_window=timedelta(days=15), max_history=timedelta(days=60), batch_size=10
)


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


def shared_cloud(clock: FixedClock) -> FakeCloud:
    """Charger 101 with 20 daily sessions before now; both accounts see the same cloud."""
    fake = FakeCloud(chargers=[make_charger("101")])
    fake.sessions["101"] = [
        raw_session(1000 + day, "101", clock.now() - timedelta(days=day)) for day in range(1, 21)
    ]
    return fake


async def sync(
    database: Database, clock: FixedClock, account_id: int, cloud: FakeCloud
) -> AccountReport:
    engine = SyncEngine(book_opener(database, clock), clock, CONFIG)
    return await engine.sync_account(AccountSource(account_id, f"account {account_id}", cloud))


def sessions_of(database: Database, owner: int) -> set[str]:
    with database.session() as session:
        return {s.external_id for s in SessionRepository(session).list(owner_user_id=owner)}


def session_count(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(ChargingSessionRow)) or 0


async def test_second_account_skipped_then_transfer_splits_the_book_at_the_sale(
    database: Database, clock: FixedClock
) -> None:
    alice, alice_account = add_owner(database, clock, "alice@example.com")
    bob, bob_account = add_owner(database, clock, "bob@example.com")
    cloud = shared_cloud(clock)

    first = await sync(database, clock, alice_account, cloud)
    assert first.error is None
    assert first.new == 20
    shared = await sync(database, clock, bob_account, cloud)
    assert shared.error is None
    assert shared.held_by_others == ["Pulsar 101"]
    assert shared.chargers == 0
    assert shared.new == 0
    with database.session() as session:
        (charger,) = ChargerRepository(session, clock).list()
    assert (charger.owner_user_id, charger.account_id) == (alice, alice_account)
    before = sessions_of(database, alice)
    assert len(before) == 20
    assert sessions_of(database, bob) == set()

    with database.transaction() as session:
        done = transfer_charger(
            session, clock, charger_id=charger.id, to_email="Bob@Example.com ", actor="cli"
        )
    sold_at = clock.now()
    clock.advance(timedelta(days=3))
    # After the sale: a session of the new owner, and one that started before the sale and
    # ended after it (the cloud lists it only once ended): it is the earlier owner's.
    cloud.sessions["101"] += [
        raw_session(2001, "101", sold_at + timedelta(days=1)),
        raw_session(999, "101", sold_at - timedelta(hours=1), hours=3),
    ]
    after = await sync(database, clock, bob_account, cloud)
    assert after.error is None
    assert after.held_by_others == []
    assert after.new == 2
    told = await sync(database, clock, alice_account, cloud)
    assert told.held_by_others == ["Pulsar 101"]
    assert told.new == 0

    assert sessions_of(database, alice) == before | {"999"}
    assert sessions_of(database, bob) == {"2001"}
    assert session_count(database) == 22  # nothing stored twice
    with database.session() as session:
        chargers = ChargerRepository(session, clock)
        earlier, current = chargers.get(done.earlier_charger_id), chargers.get(done.charger_id)
        assert chargers.find(ChargerSource.WALLBOX_CLOUD, "101") == current
        assert (earlier.owner_user_id, earlier.owner_until) == (alice, sold_at)
        assert earlier.transferred
        assert not current.transferred
        assert (current.owner_user_id, current.account_id) == (bob, bob_account)
        (entry,) = AuditLogRepository(session, clock).list(action=AUDIT_ACTION)
    assert (entry.actor, entry.entity_type, entry.entity_id) == ("cli", "charger", str(earlier.id))
    assert entry.payload["from_user_id"] == alice
    assert entry.payload["to_user_id"] == bob
    assert entry.payload["new_charger_id"] == current.id


async def test_transfer_refuses_what_it_cannot_do(database: Database, clock: FixedClock) -> None:
    alice, alice_account = add_owner(database, clock, "alice@example.com")
    add_owner(database, clock, "bob@example.com")
    await sync(database, clock, alice_account, shared_cloud(clock))
    with database.session() as session:
        (charger,) = ChargerRepository(session, clock).list()

    def transfer(charger_id: int, email: str) -> None:
        with database.transaction() as session:
            transfer_charger(session, clock, charger_id=charger_id, to_email=email, actor="t")

    with pytest.raises(NotFoundError):
        transfer(charger.id, "nobody@example.com")
    with pytest.raises(NotFoundError):
        transfer(charger.id + 100, "bob@example.com")
    with pytest.raises(ConflictError, match="already belongs"):
        transfer(charger.id, "alice@example.com")
    transfer(charger.id, "bob@example.com")
    with pytest.raises(ConflictError, match="transferred already"):
        transfer(charger.id, "alice@example.com")
    with database.session() as session:
        assert len(AuditLogRepository(session, clock).list(action=AUDIT_ACTION)) == 1
        assert {c.owner_user_id for c in ChargerRepository(session, clock).list()} == {
            alice,
            alice + 1,
        }


async def test_the_recorder_records_nothing_of_another_owners_charger(
    database: Database, clock: FixedClock
) -> None:
    _, alice_account = add_owner(database, clock, "alice@example.com")
    _, bob_account = add_owner(database, clock, "bob@example.com")
    cloud = shared_cloud(clock)
    cloud.statuses["101"] = [
        status("101", clock.now() + timedelta(seconds=s), ChargerState.CHARGING, 7.2)
        for s in (0, 10, 20, 30)
    ]
    recorder = Recorder(book_opener(database, clock), clock, reads_per_minute=None)
    await recorder.poll_account(AccountSource(alice_account, "alice", cloud))
    await recorder.poll_account(AccountSource(bob_account, "bob", cloud))  # refreshes its list
    clock.advance(timedelta(seconds=30))
    await recorder.poll_account(AccountSource(bob_account, "bob", cloud))  # from its cache
    with database.session() as session:
        samples = session.scalar(select(func.count()).select_from(SessionSampleRow))
    assert samples == 1  # alice's only
