"""From synced sessions in the book through eligibility to a finalized batch, with the
reference's worked examples (ere-rules.md §4.1)."""

from __future__ import annotations

from decimal import Decimal

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import DeliveryPeriod, MeteringKind
from chargebook.domain.ere_book import BatchStatus
from chargebook.ere import ReasonCode
from chargebook.ere.service import create_batch, eligibility_report, finalize_batch

from .helpers import PARAMETERS, BookBuilder, daily_records, mid_charger

YEAR = DeliveryPeriod(2026)


def test_worked_examples_2500_and_3000_kwh_in_2026(book: BookBuilder) -> None:
    # 250 and 300 sessions of 10 kWh: 2,500 and 3,000 kWh delivered in 2026.
    chargers = [mid_charger("501"), mid_charger("502")]
    records = daily_records("501", "a", 250, "10") + daily_records("502", "b", 300, "10")
    book.sync(chargers, records)
    first = book.customer("anna@example.com", "10000000000001", ["501"])
    second = book.customer("bram@example.com", "10000000000002", ["502"])

    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        report = eligibility_report(store, YEAR, parameters=PARAMETERS, now=book.clock.now())
        assert report.evaluated == 550
        assert report.eligible == 550
        assert report.eligible_energy_kwh == Decimal(5500)
        assert report.estimated_ere == Decimal("831.7") + Decimal("998.1")

        created = create_batch(store, YEAR, parameters=PARAMETERS, now=book.clock.now())
        lines = {line.customer_id: line for line in created.lines}
        assert lines[str(first.user_id)].energy_kwh == Decimal(2500)
        assert lines[str(first.user_id)].ere == Decimal("831.7")
        assert lines[str(second.user_id)].ere == Decimal("998.1")
        assert lines[str(first.user_id)].ean == first.ean
        assert lines[str(first.user_id)].metering_kind is MeteringKind.INTEGRATED_MID
        assert created.batch.total_ere == Decimal("1829.8")
        assert created.batch.session_count == 550
        assert created.batch.status is BatchStatus.DRAFT

        finalized = finalize_batch(store, created.batch.id)
        assert finalized.status is BatchStatus.FINALIZED
        assert finalized.manifest_sha256 is not None
        assert len(finalized.manifest_sha256) == 64

    # Everything is registered now: a second eligibility run says so for every session.
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        again = eligibility_report(store, YEAR, parameters=PARAMETERS, now=book.clock.now())
        assert again.eligible == 0
        assert again.failures == {ReasonCode.ALREADY_REGISTERED: 550}


def test_sessions_before_the_qualifying_construct_are_not_eligible(book: BookBuilder) -> None:
    from datetime import UTC, datetime

    book.sync([mid_charger("601")], daily_records("601", "c", 100, "10"))
    # The MID meter is on record only from 1 March 2026 (local): January and February fail.
    book.customer(
        "carla@example.com",
        "10000000000003",
        ["601"],
        since=datetime(2026, 2, 28, 23, 0, tzinfo=UTC),
    )
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        report = eligibility_report(store, YEAR, parameters=PARAMETERS, now=book.clock.now())
    assert report.evaluated == 100
    assert report.first_failures == {ReasonCode.NO_METERING_CONSTRUCT: 55}  # 5 Jan .. 28 Feb
    assert report.eligible == 45
