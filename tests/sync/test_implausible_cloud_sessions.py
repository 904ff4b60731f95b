"""Cloud sessions pass the same plausibility rules as OCPP ones (`domain/plausibility.py`):
absurd times are quarantined with a reason, and a quarantined session whose values the book's
columns cannot hold is stored with its raw payload only, on both databases."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database, SessionRepository
from chargebook.db.book.store import SqlBook
from chargebook.db.core.testing import example_charger
from chargebook.domain.book import SessionState, UpsertPlan
from chargebook.domain.models import ChargerSource, ChargingSession
from chargebook.domain.plausibility import validate_session
from chargebook.sync.validation import check_record
from chargebook.wallbox.wire.sessions import parse_item

CHARGER = "70001"


def _item(session_id: int, **attributes: Any) -> dict[str, Any]:
    return {"id": session_id, "attributes": {"discharged_energy": 0, **attributes}}


@pytest.mark.parametrize(
    ("attributes", "reason"),
    [
        ({"start": 253402128000, "end": 253402131600, "energy": 5}, "ahead of the server's clock"),
        ({"start": 0, "end": 3600, "energy": 5}, "before 2000-01-01"),
        ({"start": 1773165600, "end": 1773165660, "energy": 1e12, "cost": 1e30}, "maximum"),
    ],
)
def test_implausible_cloud_sessions_are_quarantined_and_stored(
    database: Database, clock: FixedClock, attributes: dict[str, Any], reason: str
) -> None:
    entry = check_record(
        parse_item(_item(7, **attributes), CHARGER), max_current_a=32, now=clock.now()
    )
    assert entry.state is SessionState.QUARANTINED
    assert entry.reason is not None
    assert reason in entry.reason
    with database.transaction() as session:
        ChargerRepository(session, clock).upsert(example_charger(CHARGER), owner_user_id=None)
        SqlBook(session, clock).apply_upsert(UpsertPlan(inserts=(entry,)))
    with database.session() as session:
        (stored,) = SessionRepository(session).list(state=SessionState.QUARANTINED)
        assert stored.quarantine_reason == entry.reason
        assert SessionRepository(session).get_raw_payload(stored.id)["attributes"] == {
            "discharged_energy": 0,
            **attributes,
        }


def test_a_plausible_cloud_session_is_ok(clock: FixedClock) -> None:
    start = int((clock.now() - timedelta(hours=3)).timestamp())
    entry = check_record(
        parse_item(_item(8, start=start, end=start + 3600, energy=7), CHARGER),
        max_current_a=32,
        now=clock.now(),
    )
    assert (entry.state, entry.reason) == (SessionState.OK, None)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "sNaN"])
def test_non_finite_decimals_are_a_reason_not_an_exception(clock: FixedClock, value: str) -> None:
    session = ChargingSession(
        source=ChargerSource.OCPP,
        external_id="CP:1",
        charger_external_id="CP",
        started_at=clock.now() - timedelta(hours=1),
        ended_at=clock.now(),
        energy_kwh=Decimal(value),
        mid_energy_kwh=None,
        discharged_energy_kwh=Decimal(0),
    )
    reason = validate_session(session, max_current_a=None, now=clock.now())
    assert reason is not None
    assert "not a finite number" in reason
