"""Repeating plans and the savings history in the database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal

import pytest

from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database
from chargebook.db.core.testing import example_charger
from chargebook.db.smart.repository import SmartPlanRepository
from chargebook.db.smart.store import DatabaseSmartStore
from chargebook.domain.smart import RepeatingPlan, SessionSaving
from chargebook.errors import NotFoundError

PLUGGED = datetime(2025, 12, 16, 19, 34, tzinfo=UTC)


def add_charger(database: Database, clock: FixedClock, external_id: str) -> int:
    with database.transaction() as session:
        return ChargerRepository(session, clock).upsert(example_charger(external_id)).id


def test_plans_are_stored_per_charger_paused_and_removed(
    database: Database, clock: FixedClock
) -> None:
    garage = add_charger(database, clock, "111")
    add_charger(database, clock, "222")
    weekdays = RepeatingPlan(frozenset(range(5)), time(7, 0), energy_kwh=20.5)
    soc = RepeatingPlan(frozenset({5, 6}), time(9, 30), target_soc_pct=80, capacity_kwh=64)
    with database.transaction() as session:
        repo = SmartPlanRepository(session, clock)
        first = repo.add(garage, weekdays)
        repo.add(garage, soc)
    store = DatabaseSmartStore(database, clock)
    plans = store.repeating_plans("111")
    assert [(p.weekdays, p.departure, p.energy_kwh, p.target_soc_pct) for p in plans] == [
        (frozenset(range(5)), time(7, 0), 20.5, None),
        (frozenset({5, 6}), time(9, 30), None, 80.0),
    ]
    assert store.repeating_plans("222") == []
    assert store.repeating_plans("unknown") == []
    assert first.id is not None
    with database.transaction() as session:
        repo = SmartPlanRepository(session, clock)
        assert repo.set_active(first.id, False)
        assert repo.remove(plans[1].id or 0)
        assert not repo.remove(10_000)
    assert [p.active for p in store.repeating_plans("111")] == [False]


def test_savings_are_recorded_once_per_plug_in_and_listed(
    database: Database, clock: FixedClock
) -> None:
    add_charger(database, clock, "111")
    store = DatabaseSmartStore(database, clock)
    saving = SessionSaving(
        charger_id="111",
        plugged_in_at=PLUGGED,
        unplugged_at=datetime(2025, 12, 17, 6, 1, tzinfo=UTC),
        energy_kwh=Decimal("15.170000"),
        actual_cost_eur=Decimal("3.5600"),
        charge_now_cost_eur=Decimal("4.1800"),
    )
    store.record_saving(saving)
    corrected = SessionSaving(**{**_fields(saving), "actual_cost_eur": Decimal("3.5500")})
    store.record_saving(corrected)  # the same plug-in again replaces, never duplicates
    assert store.savings("111") == [corrected]
    assert store.savings("111")[0].saving_eur == Decimal("0.6300")
    with pytest.raises(NotFoundError):
        store.record_saving(SessionSaving(**{**_fields(saving), "charger_id": "999"}))


def _fields(saving: SessionSaving) -> dict[str, object]:
    return {name: getattr(saving, name) for name in SessionSaving.__dataclass_fields__}
