"""Builders for the db tests: chargers and sessions written straight into the tables."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database
from chargebook.db.book.tables import ChargingSessionRow
from chargebook.db.core.canonical import canonical_json, sha256_hex
from chargebook.db.core.testing import empty_postgres_tables, example_charger

AddSession = Callable[..., int]


@pytest.fixture
def postgres_database(_migrated_postgres: Database) -> Database:
    """The PostgreSQL `database` alone, for tests of PostgreSQL-only behaviour."""
    empty_postgres_tables(_migrated_postgres.engine)
    return _migrated_postgres


@pytest.fixture
def add_charger(clock: FixedClock) -> Callable[[Session, str], int]:
    def add(session: Session, external_id: str = "12345") -> int:
        return ChargerRepository(session, clock).upsert(example_charger(external_id)).id

    return add


@pytest.fixture
def add_session(clock: FixedClock) -> AddSession:
    """Insert one ok session (what the sync engine's store will do) and return its id."""

    def add(
        session: Session,
        charger_id: int,
        *,
        external_id: str,
        started_at: datetime,
        minutes: int = 60,
        energy_kwh: str = "7.5",
        state: str = "ok",
        reason: str | None = None,
        cost: str | None = None,
    ) -> int:
        raw = {"id": external_id, "energy": energy_kwh}
        text = canonical_json(raw)
        row = ChargingSessionRow(
            charger_id=charger_id,
            source="wallbox_cloud",
            external_id=external_id,
            started_at=started_at,
            ended_at=started_at + timedelta(minutes=minutes),
            energy_kwh=Decimal(energy_kwh),
            discharged_energy_kwh=Decimal("0"),
            raw_payload=text,
            raw_sha256=sha256_hex(text),
            state=state,
            quarantine_reason=reason,
            cost=Decimal(cost) if cost is not None else None,
            currency="EUR" if cost is not None else None,
            first_seen_at=clock.now(),
            last_seen_at=clock.now(),
        )
        session.add(row)
        session.flush()
        return row.id

    return add
