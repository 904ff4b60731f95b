"""`SessionRepository.totals`: the sessions page's totals summed in SQL equal the sums over
the listed sessions (count, kWh, whole seconds per session, cost)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import update

from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database, SessionRepository
from chargebook.db.book.tables import ChargingSessionRow
from chargebook.db.core.testing import example_charger
from chargebook.domain.book import SessionState

AddSession = Callable[..., int]
START = datetime(2026, 3, 1, 8, tzinfo=UTC)


def test_totals_equal_the_sums_over_the_listed_sessions(
    database: Database, clock: FixedClock, add_session: AddSession
) -> None:
    with database.transaction() as session:
        chargers = ChargerRepository(session, clock)
        garage = chargers.upsert(example_charger("garage")).id
        street = chargers.upsert(example_charger("street")).id
        ids = [
            add_session(session, garage, external_id=f"g{n}", minutes=30 + n,
                        started_at=START + timedelta(days=n), energy_kwh=f"{n}.125")
            for n in range(1, 6)
        ]  # fmt: skip
        add_session(session, street, external_id="s", started_at=START, energy_kwh="50")
        add_session(session, garage, external_id="q", started_at=START, energy_kwh="999",
                    state="quarantined", reason="too much")  # fmt: skip
        # A fraction of a second (truncated per session, like BookSession.duration_s) and costs
        # on two sessions only.
        session.execute(
            update(ChargingSessionRow)
            .where(ChargingSessionRow.id == ids[0])
            .values(
                ended_at=START + timedelta(days=1, minutes=31, microseconds=999_999),
                cost=Decimal("1.25"),
                currency="EUR",
            )
        )
        session.execute(
            update(ChargingSessionRow)
            .where(ChargingSessionRow.id == ids[1])
            .values(cost=Decimal("2.50"), currency="EUR")
        )
    with database.session() as session:
        sessions = SessionRepository(session)
        for where in (
            {"charger_id": garage, "state": SessionState.OK},
            {"start": START + timedelta(days=2), "end": START + timedelta(days=4)},
            {"state": SessionState.OK},
            {},
        ):
            listed = sessions.list(**where)  # type: ignore[arg-type]
            totals = sessions.totals(**where)  # type: ignore[arg-type]
            assert totals.count == len(listed)
            assert totals.energy_kwh == sum((s.energy_kwh or 0 for s in listed), Decimal(0))
            assert totals.duration_s == sum(s.duration_s or 0 for s in listed)
            costs = [s.cost for s in listed if s.cost is not None]
            assert totals.cost == (sum(costs, Decimal(0)) if costs else None)
        garage_ok = sessions.totals(charger_id=garage, state=SessionState.OK)
        assert garage_ok.count == 5
        assert garage_ok.energy_kwh == Decimal("15.625")
        assert garage_ok.duration_s == 60 * (31 + 32 + 33 + 34 + 35) + 0  # .999999 s cut off
        assert garage_ok.cost == Decimal("3.75")
        none = sessions.totals(start=START + timedelta(days=100))
        assert (none.count, none.energy_kwh, none.duration_s, none.cost) == (0, 0, 0, None)
