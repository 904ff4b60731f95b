"""NaN and Infinity never enter a Decimal column (PostgreSQL's numeric would store NaN, and no
sum survives one), by the ORM type and by the bulk session insert; a NaN already in a book
(written by hand, or as text on SQLite) reads as unknown."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from chargebook.db import Database, SessionRepository
from chargebook.db.book.session_rows import SessionRowFormat
from chargebook.domain.book import SessionEntry, SessionState
from chargebook.domain.models import ChargerSource, ChargingSession

AddCharger = Callable[[Session, str], int]
AddSession = Callable[..., int]
START = datetime(2026, 3, 1, 22, 30, tzinfo=UTC)


@pytest.mark.parametrize("energy", ["NaN", "Infinity", "-Infinity"])
def test_the_orm_refuses_a_non_finite_energy(
    database: Database, add_charger: AddCharger, add_session: AddSession, energy: str
) -> None:
    with (
        pytest.raises(StatementError, match="not a finite number"),
        database.transaction() as session,
    ):
        add_session(session, add_charger(session, "1"), external_id="s", started_at=START,
                    energy_kwh=energy)  # fmt: skip


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_the_bulk_insert_refuses_a_non_finite_energy(dialect: str) -> None:
    session = ChargingSession(
        source=ChargerSource.OCPP, external_id="CP:1", charger_external_id="CP",
        started_at=START, ended_at=START, energy_kwh=Decimal("NaN"), mid_energy_kwh=None,
        discharged_energy_kwh=Decimal(0),
    )  # fmt: skip
    entry = SessionEntry(
        source=ChargerSource.OCPP, external_id="CP:1", charger_external_id="CP", raw={},
        raw_sha256="0" * 64, session=session, state=SessionState.QUARANTINED, reason="x",
    )  # fmt: skip
    with pytest.raises(ValueError, match="not a finite number"):
        SessionRowFormat(dialect).row(entry, 1, None)


def test_a_nan_energy_already_in_the_book_reads_as_unknown(
    database: Database, add_charger: AddCharger, add_session: AddSession
) -> None:
    with database.transaction() as session:
        session_id = add_session(
            session, add_charger(session, "1"), external_id="s", started_at=START
        )
        session.execute(
            text("UPDATE charging_sessions SET energy_kwh = 'NaN' WHERE id = :id"),
            {"id": session_id},
        )
    with database.session() as session:
        assert SessionRepository(session).get(session_id).energy_kwh is None
