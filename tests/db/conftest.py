"""Builders for the db tests: chargers and sessions written straight into the tables."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from chargebook.clock import FixedClock
from chargebook.db.canonical import canonical_json, sha256_hex
from chargebook.db.repositories import ChargerRepository
from chargebook.db.tables import ChargingSessionRow
from chargebook.domain import Charger, ChargerSource, MidMeter

AddSession = Callable[..., int]


def make_charger(external_id: str = "12345", **changes: object) -> Charger:
    facts: dict[str, object] = {
        "source": ChargerSource.WALLBOX_CLOUD,
        "external_id": external_id,
        "name": f"Garage {external_id}",
        "serial_number": f"SN{external_id}",
        "part_number": "PLP1-0-2-4-9-002-E",
        "model": "Pulsar Plus",
        "firmware_version": "6.6.14",
        "max_current_a": 32,
        "time_zone": "Europe/Amsterdam",
        "mid": MidMeter(enabled=True, serial_number="MID-9", status=1),
    }
    facts.update(changes)
    return Charger(**facts)  # type: ignore[arg-type]


@pytest.fixture
def add_charger(clock: FixedClock) -> Callable[[Session, str], int]:
    def add(session: Session, external_id: str = "12345") -> int:
        return ChargerRepository(session, clock).upsert(make_charger(external_id)).id

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
            first_seen_at=clock.now(),
            last_seen_at=clock.now(),
        )
        session.add(row)
        session.flush()
        return row.id

    return add
