"""The year-end service: what blocks the 2026 year-end, with the numbers, and the 2 %
materiality check of a finalized batch against the sessions' MID register readings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from chargebook.db.book.tables import ChargingSessionRow
from chargebook.db.core.canonical import canonical_json, sha256_hex
from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import DeliveryPeriod
from chargebook.ere.service import add_connection, create_batch, export_batch, finalize_batch
from chargebook.ere.service.year_end import YearEnd, year_end

from .helpers import ADDRESS, NOW, PARAMETERS, BookBuilder, make_ean, mid_charger

Q1 = datetime(2026, 2, 2, 6, 0, tzinfo=UTC)


def _session(book: BookBuilder, charger_id: int, name: str, start: datetime, mid_kwh: str,
             register_wh: int | None = None) -> None:  # fmt: skip
    with book.database.transaction() as session:
        raw = canonical_json({"id": name, "energy": mid_kwh})
        session.add(
            ChargingSessionRow(
                charger_id=charger_id, source="wallbox_cloud", external_id=name,
                started_at=start, ended_at=start + timedelta(hours=10),
                energy_kwh=Decimal(mid_kwh), mid_energy_kwh=Decimal(mid_kwh),
                discharged_energy_kwh=Decimal(0),
                meter_start_wh=None if register_wh is None else 1_000_000,
                meter_stop_wh=None if register_wh is None else 1_000_000 + register_wh,
                raw_payload=raw, raw_sha256=sha256_hex(raw), state="ok",
                first_seen_at=book.clock.now(), last_seen_at=book.clock.now(),
            )
        )  # fmt: skip


def _year_end(book: BookBuilder) -> YearEnd:
    with book.database.transaction() as session:
        return year_end(
            EreStore(session, book.clock), 2026, today=date(2027, 1, 15),
            parameters=PARAMETERS, now=NOW,
        )  # fmt: skip


def _finalized_q1(book: BookBuilder, mid_kwh: str) -> int:
    book.sync([mid_charger("801")], [])
    charger = book.charger_id("801")
    book.customer("a@example.com", "50000000000001", ["801"])
    _session(book, charger, "q1", Q1, mid_kwh, register_wh=100_000)
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        batch = create_batch(store, DeliveryPeriod(2026, 1), parameters=PARAMETERS, now=NOW).batch
        finalize_batch(store, batch.id)
    return batch.id


@pytest.mark.parametrize(("mid_kwh", "blocking"), [("98.1", False), ("97.9", True)])
def test_materiality_against_the_register_readings(
    book: BookBuilder, mid_kwh: str, blocking: bool
) -> None:
    batch_id = _finalized_q1(book, mid_kwh)
    found = _year_end(book)
    readings = [c for c in found.materiality if "register readings" in c.what]
    assert [(c.booked_kwh, c.reference_kwh, c.blocking) for c in readings] == [
        (Decimal(mid_kwh), Decimal(100), blocking)
    ]
    messages = [b.message for b in found.blockers if b.kind == "materiality"]
    if blocking:
        assert messages == [
            f"batch {batch_id} line {readings[0].line_id} (EAN {readings[0].ean}): registered "
            "kWh vs MID register readings (1 of 1 sessions): 97.9 kWh against 100 kWh, "
            "2.10 % (above 2 %)"
        ]
    else:
        assert messages == []
        assert readings[0].deviation_percent == "1.90 %"


def test_the_blockers_of_a_year_end(book: BookBuilder, tmp_path: Path) -> None:
    batch_id = _finalized_q1(book, "100")
    charger = book.charger_id("801")
    # Q2: a draft batch; Q3: sessions not batched yet.
    _session(book, charger, "q2", datetime(2026, 5, 4, 6, 0, tzinfo=UTC), "20")
    with book.database.transaction() as session:
        draft = create_batch(
            EreStore(session, book.clock), DeliveryPeriod(2026, 2), parameters=PARAMETERS, now=NOW
        ).batch
    _session(book, charger, "q3a", datetime(2026, 8, 3, 6, 0, tzinfo=UTC), "11")
    _session(book, charger, "q3b", datetime(2026, 8, 4, 6, 0, tzinfo=UTC), "12.5")
    # A neighbour's connection with sessions and no mandate.
    book.sync([mid_charger("802")], [])
    book.user("b@example.com")
    neighbour = make_ean("50000000000002")
    with book.database.transaction() as session:
        add_connection(
            EreStore(session, book.clock), ean=neighbour, customer_email="b@example.com",
            connected_party_name="B", address=ADDRESS, charger_ids=[book.charger_id("802")],
        )  # fmt: skip
    _session(book, book.charger_id("802"), "n1", datetime(2026, 3, 3, 6, 0, tzinfo=UTC), "7")

    found = _year_end(book)
    assert [(b.kind, b.message) for b in found.blockers] == [
        ("sessions_waiting", "2 eligible sessions (23.5 kWh) wait to be batched"),
        ("mandate_missing",
         f"b@example.com, EAN {neighbour}: 1 sessions (7 kWh) in 2026 and no mandate for 2026"),
        ("evidence_missing",
         f"batch {batch_id} (2026-Q1): evidence packs not built (export the batch)"),
        ("batch_draft", f"batch {draft.id} (2026-Q2) is a draft: finalize or discard it"),
    ]  # fmt: skip
    assert found.calendar.next_due is not None
    assert found.calendar.next_due.key == "booking"

    with book.database.transaction() as session:
        export_batch(EreStore(session, book.clock), batch_id, tmp_path)
    assert "evidence_missing" not in {b.kind for b in _year_end(book).blockers}
