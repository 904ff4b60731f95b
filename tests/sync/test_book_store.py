"""The sync engine on the real book (SQLite and PostgreSQL): upserts, audit, cursors, samples."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from chargebook.clock import FixedClock
from chargebook.db import Database, SessionRepository
from chargebook.db.accounts.tables import AuditLogRow, UserRow, WallboxAccountRow
from chargebook.db.book.store import book_opener
from chargebook.db.book.tables import ChargingSessionRow, SessionSampleRow, SyncStateRow
from chargebook.domain.book import SessionSample, SessionState
from chargebook.domain.models import ChargerSource, ChargerState
from chargebook.sync import AccountSource, SyncConfig, SyncEngine
from chargebook.sync.validation import raw_sha256

from .fakes import FakeCloud, make_charger, raw_session

CONFIG = SyncConfig(
    backfill_window=timedelta(days=15),
    max_history=timedelta(days=120),
    stop_after_empty_windows=0,
    batch_size=10,
)


def add_account(database: Database, clock: FixedClock) -> int:
    with database.transaction() as session:
        user = UserRow(
            email="o@example.com", password_hash="!", role="owner", created_at=clock.now()
        )
        session.add(user)
        session.flush()
        account = WallboxAccountRow(
            owner_user_id=user.id,
            email_encrypted="x",
            email_lookup_hash="h",
            password_encrypted="x",
            disabled=False,
            created_at=clock.now(),
        )
        session.add(account)
        session.flush()
        return account.id


def cloud(clock: FixedClock) -> FakeCloud:
    chargers = [make_charger("101"), make_charger("102", max_current_a=16)]
    fake = FakeCloud(chargers=chargers, duplicate_every=4)
    for n, charger in enumerate(chargers):
        fake.sessions[charger.external_id] = [
            raw_session(
                1000 * (n + 1) + day, charger.external_id, clock.now() - timedelta(days=day)
            )
            for day in range(1, 100)
        ]
    bad = raw_session(5, "102", clock.now() - timedelta(days=3), hours=1, energy=40)
    fake.sessions["102"].append(bad)
    return fake


async def test_engine_on_the_book_matches_the_cloud_and_reruns_are_idempotent(
    database: Database, clock: FixedClock
) -> None:
    account_id = add_account(database, clock)
    fake = cloud(clock)
    engine = SyncEngine(book_opener(database, clock), clock, CONFIG)
    source = AccountSource(account_id, "o@example.com", fake)

    report = await engine.sync_account(source)
    assert report.error is None
    assert report.new == 199
    assert report.quarantined == 1
    expected = {
        str(raw["id"]): raw_sha256(raw) for items in fake.sessions.values() for raw in items
    }
    with database.session() as session:
        stored = dict(
            session.execute(
                select(ChargingSessionRow.external_id, ChargingSessionRow.raw_sha256)
            ).all()
        )
        assert stored == expected
        bad = session.scalars(
            select(ChargingSessionRow).where(ChargingSessionRow.external_id == "5")
        ).one()
        assert bad.state == "quarantined"
        assert bad.quarantine_reason is not None
        assert "maximum" in bad.quarantine_reason
        assert json.loads(bad.raw_payload) == fake.sessions["102"][-1]
        states = session.scalars(select(SyncStateRow)).all()
        assert len(states) == 2
        assert all(state.backfill_complete for state in states)
        account = session.get(WallboxAccountRow, account_id)
        assert account is not None
        assert account.last_synced_at == clock.now()
        assert account.last_sync_error is None
        quarantined = SessionRepository(session).list(state=SessionState.QUARANTINED)
        assert [s.external_id for s in quarantined] == ["5"]

    clock.advance(timedelta(hours=3))
    again = await engine.sync_account(source)
    assert (again.new, again.changed) == (0, 0)
    with database.session() as session:
        assert session.scalar(select(func.count(ChargingSessionRow.id))) == len(expected)


async def test_changed_payload_is_updated_and_audited_with_both_versions(
    database: Database, clock: FixedClock
) -> None:
    account_id = add_account(database, clock)
    fake = cloud(clock)
    engine = SyncEngine(book_opener(database, clock), clock, CONFIG)
    source = AccountSource(account_id, "o@example.com", fake)
    await engine.sync_account(source)

    recent = fake.sessions["101"][0]  # one day old: inside the overlap
    old_raw = dict(recent)
    recent["energy"] = 3.5
    clock.advance(timedelta(hours=1))
    report = await engine.sync_account(source)
    assert report.changed == 1

    with database.session() as session:
        row = session.scalars(
            select(ChargingSessionRow).where(ChargingSessionRow.external_id == str(recent["id"]))
        ).one()
        assert row.raw_sha256 == raw_sha256(recent)
        assert str(row.energy_kwh) == "3.500000"
        audit = session.scalars(select(AuditLogRow)).all()
        assert [entry.action for entry in audit] == ["session.raw_changed"]
        payload = json.loads(audit[0].payload)
        assert payload["old"] == {"sha256": raw_sha256(old_raw), "raw": old_raw}
        assert payload["new"] == {"sha256": raw_sha256(recent), "raw": recent}


async def test_samples_are_stored_once_and_linked_to_their_session(
    database: Database, clock: FixedClock
) -> None:
    account_id = add_account(database, clock)
    opener = book_opener(database, clock)
    charger = make_charger("101")
    start = clock.now() - timedelta(hours=5)
    samples = [
        SessionSample(
            source=ChargerSource.WALLBOX_CLOUD,
            charger_external_id="101",
            observed_at=start + timedelta(minutes=minute),
            power_kw=7.0,
            energy_kwh=minute / 10,
            state=ChargerState.CHARGING,
            status_code=194,
        )
        for minute in range(-10, 130, 10)
    ]
    with opener() as book:
        book.upsert_chargers(account_id, [charger])
        assert book.add_samples(samples) == len(samples)
        assert book.add_samples(samples) == 0
        book.commit()

    fake = FakeCloud(chargers=[charger])
    fake.sessions["101"] = [raw_session(42, "101", start, hours=2, energy=12)]
    engine = SyncEngine(opener, clock, CONFIG)
    report = await engine.sync_account(AccountSource(account_id, "o@example.com", fake))
    inside = [s for s in samples if start <= s.observed_at < start + timedelta(hours=2)]
    assert report.samples_linked == len(inside) == 12
    with database.session() as session:
        linked = session.scalars(
            select(SessionSampleRow).where(SessionSampleRow.session_id.is_not(None))
        ).all()
        assert len(linked) == 12
        session_id = session.scalar(
            select(ChargingSessionRow.id).where(ChargingSessionRow.external_id == "42")
        )
        assert {row.session_id for row in linked} == {session_id}


async def test_leaving_without_commit_rolls_back(database: Database, clock: FixedClock) -> None:
    account_id = add_account(database, clock)
    opener = book_opener(database, clock)
    with opener() as book:
        book.upsert_chargers(account_id, [make_charger("101")])
    with opener() as book:
        assert book.find_sessions(ChargerSource.WALLBOX_CLOUD, ["1"]) == {}
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(SyncStateRow)) == 0
