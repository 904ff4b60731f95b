"""The driver-level session INSERT stores exactly what the typed SQLAlchemy INSERT stored.

Reference: the previous path, `insert(ChargingSessionRow.__table__)` executed with dicts,
so every value went through `UTCDateTime` / `ExactDecimal` and the dialect's processors.
Both paths write the same entries (external ids prefixed `old-` / `new-`); the rows must be
equal as the driver hands them back (SQLite DATETIME text, REAL floats; PostgreSQL values)
and as the ORM reads them, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, text

from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.db.book.session_rows import SESSION_COLUMNS, SessionRowFormat
from chargebook.db.book.store import book_opener
from chargebook.db.book.tables import ChargerRow, ChargingSessionRow
from chargebook.db.core.writes import dialect_insert
from chargebook.domain.book import SessionEntry, SessionState, UpsertPlan
from chargebook.domain.models import ChargerSource, ChargingSession

from .fakes import make_charger
from .test_book_store import add_account

CEST = timezone(timedelta(hours=2))
NOW = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)


def session(n: int, **changes: Any) -> ChargingSession:
    values: dict[str, Any] = {
        "source": ChargerSource.WALLBOX_CLOUD,
        "external_id": str(n),
        "charger_external_id": "101",
        "started_at": datetime(2026, 2, 1, 8, 0, tzinfo=UTC) + timedelta(hours=n),
        "ended_at": datetime(2026, 2, 1, 9, 30, 15, 5, tzinfo=UTC) + timedelta(hours=n),
        "energy_kwh": Decimal("12.345"),
        "mid_energy_kwh": Decimal("12.3"),
        "discharged_energy_kwh": Decimal(0),
        "cost": Decimal("4.94"),
        "currency": "EUR",
    }
    values.update(changes)
    return ChargingSession(**values)


SESSIONS: list[ChargingSession | None] = [
    session(1),
    # Non-UTC offsets, microseconds, more digits than the column keeps (rounded half-even).
    session(
        2,
        started_at=datetime(2026, 2, 1, 23, 59, 59, 999999, tzinfo=CEST),
        ended_at=datetime(2026, 2, 2, 1, 0, tzinfo=CEST),
        energy_kwh=Decimal("7.1234565"),
        mid_energy_kwh=Decimal("7.1234575"),
        discharged_energy_kwh=Decimal("0.0000004"),
        cost=Decimal("1.23455"),
    ),
    session(3, mid_energy_kwh=None, cost=None, currency="€", energy_kwh=Decimal("99999.999999")),
    session(4, meter_start_wh=2**40, meter_stop_wh=2**40 + 12_345, currency=None),
    session(5, energy_kwh=Decimal("-3.5"), cost=Decimal("-0.0001"), currency="eur"),
    session(6, energy_kwh=Decimal("0.1"), started_at=datetime(2016, 1, 1, tzinfo=UTC)),
    None,  # an unparsable record: only its raw payload and reason are stored
]


def entries(prefix: str) -> list[SessionEntry]:
    result = []
    for n, parsed in enumerate(SESSIONS):
        quarantined = parsed is None or parsed.energy_kwh < 0
        result.append(
            SessionEntry(
                source=ChargerSource.WALLBOX_CLOUD,
                external_id=f"{prefix}-{n}",
                charger_external_id="101",
                raw={"id": n, "note": "ünï €"},
                raw_sha256=f"{n:064x}",
                session=parsed,
                state=SessionState.QUARANTINED if quarantined else SessionState.OK,
                reason="negative energy or unparsable" if quarantined else None,
                raw_json=f'{{"id":{n},"note":"ünï €"}}',
            )
        )
    return result


def old_row(entry: SessionEntry, charger_id: int) -> dict[str, Any]:
    """The dict the typed path bound (the previous `SqlBook._columns`)."""
    parsed = entry.session
    currency = parsed.currency if parsed else None
    return {
        "charger_id": charger_id,
        "source": entry.source.value,
        "external_id": entry.external_id,
        "started_at": parsed.started_at if parsed else None,
        "ended_at": parsed.ended_at if parsed else None,
        "energy_kwh": parsed.energy_kwh if parsed else None,
        "mid_energy_kwh": parsed.mid_energy_kwh if parsed else None,
        "discharged_energy_kwh": parsed.discharged_energy_kwh if parsed else None,
        "meter_start_wh": parsed.meter_start_wh if parsed else None,
        "meter_stop_wh": parsed.meter_stop_wh if parsed else None,
        "cost": parsed.cost if parsed else None,
        "currency": currency if currency and len(currency) == 3 else None,
        "raw_payload": entry.raw_json,
        "raw_sha256": entry.raw_sha256,
        "state": entry.state.value,
        "quarantine_reason": entry.reason,
        "first_seen_at": NOW,
        "last_seen_at": NOW,
    }


def stored(database: Database, prefix: str) -> tuple[list[tuple[Any, ...]], list[dict[str, Any]]]:
    """(rows as the driver returns them, rows as the ORM reads them) without id/external id."""
    columns = [c for c in SESSION_COLUMNS if c != "external_id"]
    with database.session() as db:
        raw = db.execute(
            text(
                f"SELECT {', '.join(columns)} FROM charging_sessions "  # noqa: S608
                "WHERE external_id LIKE :prefix ORDER BY external_id"
            ),
            {"prefix": f"{prefix}-%"},
        ).all()
        rows = db.scalars(
            select(ChargingSessionRow)
            .where(ChargingSessionRow.external_id.like(f"{prefix}-%"))
            .order_by(ChargingSessionRow.external_id)
        ).all()
        orm = [{c: getattr(row, c) for c in columns} for row in rows]
    return [tuple(r) for r in raw], orm


def test_driver_rows_equal_the_typed_path(database: Database) -> None:
    clock = FixedClock(NOW)
    account_id = add_account(database, clock)
    open_book = book_opener(database, clock)
    with open_book() as book:
        book.upsert_chargers(account_id, [make_charger("101")])
        book.commit()
    with database.transaction() as db:
        charger_id = db.scalar(select(ChargerRow.id).where(ChargerRow.external_id == "101"))
        assert charger_id is not None
        statement = dialect_insert(db)(ChargingSessionRow.__table__).on_conflict_do_nothing(
            index_elements=["source", "external_id"]
        )
        db.execute(statement, [old_row(e, charger_id) for e in entries("old")])
    with open_book() as book:
        book.apply_upsert(UpsertPlan(inserts=tuple(entries("new")), changes=(), unchanged=0))
        book.commit()

    old_raw, old_orm = stored(database, "old")
    new_raw, new_orm = stored(database, "new")
    assert len(old_raw) == len(SESSIONS)
    assert new_raw == old_raw
    assert new_orm == old_orm
    # The values really went through the conversions (not all None or all equal).
    by_id = {row["raw_payload"]: row for row in new_orm}
    second = by_id['{"id":1,"note":"ünï €"}']
    assert second["started_at"] == datetime(2026, 2, 1, 21, 59, 59, 999999, tzinfo=UTC)
    assert second["energy_kwh"] == Decimal("7.123456")  # half-even, as quantize does
    assert second["cost"] == Decimal("1.2346")


def test_insert_does_nothing_on_a_known_id(database: Database) -> None:
    clock = FixedClock(NOW)
    account_id = add_account(database, clock)
    open_book = book_opener(database, clock)
    plan = UpsertPlan(inserts=tuple(entries("dup")[:2]), changes=(), unchanged=0)
    with open_book() as book:
        book.upsert_chargers(account_id, [make_charger("101")])
        book.apply_upsert(plan)
        book.commit()
    before = stored(database, "dup")
    with open_book() as book:
        book.apply_upsert(plan)
        book.commit()
    assert stored(database, "dup") == before
    assert len(before[0]) == 2


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_naive_datetimes_are_refused(dialect: str) -> None:
    form = SessionRowFormat(dialect)
    with pytest.raises(ValueError, match="naive"):
        form.datetime(datetime(2026, 1, 1))  # naive on purpose
    assert form.datetime(None) is None
