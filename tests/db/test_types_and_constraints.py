"""Column types and constraints behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from chargebook.clock import FixedClock
from chargebook.db import AuditLogRepository, Database, SessionRepository
from chargebook.db.accounts.tables import UserRow
from chargebook.db.book.tables import ChargingSessionRow, SessionSampleRow

AddCharger = Callable[[Session, str], int]
AddSession = Callable[..., int]
START = datetime(2026, 3, 1, 22, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "energy", ["0.000001", "123456789.123456", "7.25", "999999999.999999", "0"]
)
def test_energy_round_trips_as_an_exact_decimal(
    database: Database, add_charger: AddCharger, add_session: AddSession, energy: str
) -> None:
    with database.transaction() as session:
        session_id = add_session(
            session, add_charger(session, "1"), external_id="s", started_at=START, energy_kwh=energy
        )
    with database.session() as session:
        stored = SessionRepository(session).get(session_id)
    assert stored.energy_kwh == Decimal(energy)
    assert isinstance(stored.energy_kwh, Decimal)


def test_datetimes_come_back_in_utc_and_timezone_aware(
    database: Database, add_charger: AddCharger, add_session: AddSession
) -> None:
    amsterdam_summer = timezone(timedelta(hours=2))
    local_start = datetime(2026, 7, 1, 0, 15, 30, 123456, tzinfo=amsterdam_summer)
    with database.transaction() as session:
        session_id = add_session(
            session, add_charger(session, "1"), external_id="s", started_at=local_start
        )
    with database.session() as session:
        stored = SessionRepository(session).get(session_id)
    assert stored.started_at == local_start
    assert stored.started_at is not None
    assert stored.started_at.utcoffset() == timedelta(0)
    assert stored.started_at.hour == 22  # 00:15 at +02:00 is 22:15 UTC the day before


def test_naive_datetimes_are_refused(database: Database, clock: FixedClock) -> None:
    with database.session() as session:
        session.add(
            UserRow(email="a@b", password_hash="h", role="owner", created_at=datetime(2026, 1, 1))
        )
        with pytest.raises(Exception, match="naive datetime"):
            session.flush()


def test_charger_and_session_identities_are_unique(
    database: Database, add_charger: AddCharger, add_session: AddSession
) -> None:
    with database.session() as session:
        charger_id = add_charger(session, "1")
        add_session(session, charger_id, external_id="dup", started_at=START)
        with pytest.raises(IntegrityError):
            add_session(session, charger_id, external_id="dup", started_at=START)


def test_samples_are_unique_per_charger_and_instant(
    database: Database, add_charger: AddCharger
) -> None:
    with database.session() as session:
        charger_id = add_charger(session, "1")
        for _ in range(2):
            session.add(
                SessionSampleRow(
                    charger_id=charger_id, observed_at=START, power_kw=7.0, session_energy_kwh=1.0
                )
            )
        with pytest.raises(IntegrityError):
            session.flush()


def test_foreign_keys_are_enforced(database: Database) -> None:
    with database.session() as session:
        session.add(
            SessionSampleRow(charger_id=999, observed_at=START, power_kw=1.0, session_energy_kwh=0)
        )
        with pytest.raises(IntegrityError):
            session.flush()


def test_an_ok_session_must_be_complete(
    database: Database, add_charger: AddCharger, add_session: AddSession
) -> None:
    with database.session() as session:
        session_id = add_session(
            session, add_charger(session, "1"), external_id="s", started_at=START
        )
        row = session.get(ChargingSessionRow, session_id)
        assert row is not None
        row.ended_at = START - timedelta(minutes=1)
        with pytest.raises(IntegrityError):
            session.flush()


def test_the_audit_log_refuses_update_and_delete(database: Database, clock: FixedClock) -> None:
    with database.transaction() as session:
        entry = AuditLogRepository(session, clock).append(
            actor="test", action="created", entity_type="charger", entity_id=1, payload={"a": 1}
        )
    for statement in (
        "UPDATE audit_log SET actor = 'mallory'",
        "DELETE FROM audit_log",
    ):
        with database.session() as session, pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(statement))
    with database.session() as session:
        assert session.scalars(select(text("actor")).select_from(text("audit_log"))).all() == [
            "test"
        ]
        assert AuditLogRepository(session, clock).list() == [entry]


@pytest.mark.postgres
def test_the_audit_log_refuses_truncate_on_postgres(postgres_database: Database) -> None:
    # SQLite has no TRUNCATE; its DELETE is covered above.
    with postgres_database.session() as session, pytest.raises(DBAPIError, match="append-only"):
        session.execute(text("TRUNCATE audit_log"))
