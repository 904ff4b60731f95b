"""The read side of sessions: filters, counts and energy per month summed in SQL."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from chargebook.clock import FixedClock
from chargebook.db import AuditLogRepository, ChargerRepository, Database, SessionRepository
from chargebook.db.core.testing import example_charger
from chargebook.domain.book import SessionState
from chargebook.errors import NotFoundError

AddSession = Callable[..., int]


def _at(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def book(database: Database, clock: FixedClock, add_session: AddSession) -> dict[str, int]:
    """Two chargers; sessions in January, across the Jan/Feb local boundary, and in March."""
    with database.transaction() as session:
        chargers = ChargerRepository(session, clock)
        garage = chargers.upsert(example_charger("garage")).id
        street = chargers.upsert(example_charger("street")).id
        add_session(session, garage, external_id="a", started_at=_at(1, 5), energy_kwh="10.5")
        # 23:30 UTC on 31 January is 00:30 on 1 February in Amsterdam.
        add_session(
            session, garage, external_id="b", started_at=_at(1, 31, 23, 30), energy_kwh="2.25"
        )
        add_session(session, garage, external_id="c", started_at=_at(3, 2), energy_kwh="7.000001")
        add_session(session, street, external_id="d", started_at=_at(1, 6), energy_kwh="100")
        add_session(
            session,
            garage,
            external_id="q",
            started_at=_at(1, 7),
            energy_kwh="999",
            state="quarantined",
            reason="energy above charger capacity",
        )
    return {"garage": garage, "street": street}


def test_list_filters_by_charger_period_and_state(database: Database, book: dict[str, int]) -> None:
    with database.session() as session:
        sessions = SessionRepository(session)
        garage = [s.external_id for s in sessions.list(charger_id=book["garage"])]
        assert garage == ["c", "b", "q", "a"]  # newest first
        january = sessions.list(start=_at(1, 1, 0), end=_at(2, 1, 0), newest_first=False)
        assert [s.external_id for s in january] == ["a", "d", "q", "b"]
        ok_only = sessions.list(charger_id=book["garage"], state=SessionState.OK, limit=2)
        assert [s.external_id for s in ok_only] == ["c", "b"]
        quarantined = sessions.list(state=SessionState.QUARANTINED)
        assert quarantined[0].quarantine_reason == "energy above charger capacity"
        assert sessions.count() == 5
        assert sessions.count(charger_id=book["garage"], state=SessionState.OK) == 3
        assert sessions.count(start=_at(3, 2), end=_at(3, 2, 12, 1)) == 1  # start included


def test_get_returns_the_session_and_its_raw_evidence(
    database: Database, book: dict[str, int]
) -> None:
    with database.session() as session:
        sessions = SessionRepository(session)
        first = sessions.list(charger_id=book["street"])[0]
        assert sessions.get(first.id) == first
        assert first.duration_s == 3600
        assert sessions.get_raw_payload(first.id) == {"id": "d", "energy": "100"}
        with pytest.raises(NotFoundError):
            sessions.get(10_000)


def test_energy_per_month_uses_local_months_and_ok_sessions_only(
    database: Database, book: dict[str, int]
) -> None:
    with database.session() as session:
        sessions = SessionRepository(session)
        garage = sessions.energy_by_month(charger_id=book["garage"])
        everything = sessions.energy_by_month()
        in_utc = sessions.energy_by_month(charger_id=book["garage"], time_zone="UTC")
    assert [(m.month, m.energy_kwh, m.session_count) for m in garage] == [
        (date(2026, 1, 1), Decimal("10.500000"), 1),
        (date(2026, 2, 1), Decimal("2.250000"), 1),
        (date(2026, 3, 1), Decimal("7.000001"), 1),
    ]
    assert everything[0].energy_kwh == Decimal("110.5")
    assert everything[0].session_count == 2
    assert [m.month.month for m in in_utc] == [1, 3]
    assert in_utc[0].energy_kwh == Decimal("12.75")


def test_energy_per_month_sums_the_cost_of_the_sessions_that_have_one(
    database: Database, clock: FixedClock, add_session: AddSession
) -> None:
    with database.transaction() as session:
        garage = ChargerRepository(session, clock).upsert(example_charger("garage")).id
        add_session(session, garage, external_id="a", started_at=_at(1, 5), cost="3.5512")
        add_session(session, garage, external_id="b", started_at=_at(1, 9), cost="1.2")
        add_session(session, garage, external_id="c", started_at=_at(1, 12))
        add_session(session, garage, external_id="d", started_at=_at(2, 3))
    with database.session() as session:
        january, february = SessionRepository(session).energy_by_month(charger_id=garage)
    assert (january.cost, january.costed_count, january.session_count) == (Decimal("4.7512"), 2, 3)
    assert not january.cost_complete
    assert (february.cost, february.costed_count) == (None, 0)


def test_energy_per_month_of_an_empty_book_is_empty(database: Database) -> None:
    with database.session() as session:
        assert SessionRepository(session).energy_by_month() == []


def test_audit_log_appends_hashed_canonical_payloads(database: Database, clock: FixedClock) -> None:
    with database.transaction() as session:
        audit = AuditLogRepository(session, clock)
        first = audit.append(
            actor="sync",
            action="session.changed",
            entity_type="charging_session",
            entity_id=7,
            payload={"b": Decimal("1.50"), "a": _at(1, 1)},
        )
        audit.append(actor="owner:1", action="charger.renamed", entity_type="charger", entity_id=3)
    with database.session() as session:
        entries = AuditLogRepository(session, clock).list(entity_type="charging_session")
    assert entries == [first]
    assert first.payload == {"a": "2026-01-01T12:00:00+00:00", "b": "1.50"}
    expected = hashlib.sha256(b'{"a":"2026-01-01T12:00:00+00:00","b":"1.50"}').hexdigest()
    assert first.payload_sha256 == expected
    assert first.entity_id == "7"
    assert first.at == clock.now()
