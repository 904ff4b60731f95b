"""Chargers upsert by (source, external id); samples are idempotent and link to sessions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from chargebook.clock import FixedClock
from chargebook.db import (
    ChargerRepository,
    Database,
    SampleRepository,
    SessionRepository,
    UserRepository,
)
from chargebook.db.core.testing import example_charger
from chargebook.domain import ChargerSource, ChargerState, MidMeter
from chargebook.domain.book import SessionSample
from chargebook.errors import NotFoundError

AddSession = Callable[..., int]
START = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)


def _sample(minute: int, external_id: str = "1", power_kw: float = 7.4) -> SessionSample:
    return SessionSample(
        source=ChargerSource.WALLBOX_CLOUD,
        charger_external_id=external_id,
        observed_at=START + timedelta(minutes=minute),
        power_kw=power_kw,
        energy_kwh=round(minute * power_kw / 60, 3),
        state=ChargerState.CHARGING,
        status_code=193,
        extra={"phase_count": 3},
    )


def test_charger_upsert_inserts_then_updates_in_place(
    database: Database, clock: FixedClock
) -> None:
    with database.transaction() as session:
        first = ChargerRepository(session, clock).upsert(example_charger("1"))
    clock.advance(timedelta(hours=1))
    renamed = example_charger("1", name="Carport", firmware_version="6.7.0", mid=MidMeter(False))
    with database.transaction() as session:
        chargers = ChargerRepository(session, clock)
        chargers.get(first.id)  # loaded into the identity map before the upsert
        second = chargers.upsert(renamed)
    assert second.id == first.id
    assert second.charger == renamed
    assert second.created_at == first.created_at
    assert second.updated_at == clock.now()
    with database.session() as session:
        chargers = ChargerRepository(session, clock)
        assert chargers.find(ChargerSource.WALLBOX_CLOUD, "1") == second
        assert chargers.find(ChargerSource.OCPP, "1") is None
        assert len(chargers.list()) == 1


def test_charger_upsert_keeps_the_owner_unless_told(database: Database, clock: FixedClock) -> None:
    with database.transaction() as session:
        owner = UserRepository(session, clock).create(email="o@example.com", password_hash="h")
        chargers = ChargerRepository(session, clock)
        chargers.upsert(example_charger("1"), owner_user_id=owner.id)
        chargers.upsert(example_charger("2"))
        refreshed = chargers.upsert(example_charger("1", name="again"))
        assert refreshed.owner_user_id == owner.id
        assert [c.charger.external_id for c in chargers.list(owner_user_id=owner.id)] == ["1"]


def test_samples_are_inserted_once_and_read_back_in_a_half_open_window(
    database: Database, clock: FixedClock
) -> None:
    with database.transaction() as session:
        charger_id = ChargerRepository(session, clock).upsert(example_charger("1")).id
        samples = SampleRepository(session)
        assert samples.add_many([_sample(m) for m in range(10)]) == 10
        # Overlapping poll: 5 already stored, 5 new, plus a duplicate inside the batch.
        assert samples.add_many([_sample(m) for m in range(5, 15)] + [_sample(14)]) == 5
    with database.session() as session:
        window = SampleRepository(session).list_for_charger(
            charger_id, start=START + timedelta(minutes=2), end=START + timedelta(minutes=6)
        )
    assert [s.observed_at.minute for s in window] == [2, 3, 4, 5]
    assert window[0] == _sample(2)


def test_samples_of_an_unknown_charger_are_refused(database: Database) -> None:
    with database.session() as session, pytest.raises(NotFoundError, match="nope"):
        SampleRepository(session).add_many([_sample(0, external_id="nope")])


def test_samples_link_to_a_session_by_window(
    database: Database, clock: FixedClock, add_session: AddSession
) -> None:
    with database.transaction() as session:
        charger_id = ChargerRepository(session, clock).upsert(example_charger("1")).id
        samples = SampleRepository(session)
        samples.add_many([_sample(m) for m in range(0, 30, 5)])
        session_id = add_session(
            session, charger_id, external_id="s1", started_at=START, minutes=15
        )
        linked = samples.link_to_session(
            charger_id, start=START, end=START + timedelta(minutes=15), session_id=session_id
        )
        assert linked == 3  # minutes 0, 5, 10: the end is excluded
        other = add_session(session, charger_id, external_id="s2", started_at=START, minutes=30)
        # Already linked samples stay with their session.
        assert (
            samples.link_to_session(
                charger_id, start=START, end=START + timedelta(minutes=30), session_id=other
            )
            == 3
        )
        assert [s.observed_at.minute for s in samples.list_for_session(session_id)] == [0, 5, 10]
        assert SessionRepository(session).get(session_id).external_id == "s1"
