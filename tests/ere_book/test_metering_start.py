"""When metering qualifies (issue 17): a MID meter that was there all along counts from the
charger's first MID-metered session, whether detection ran before or after the backfill
brought the sessions; a charger without MID stays held back; a private customer's external
meter is held back on both rule paths (SQL and the Python reference)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from chargebook.db.book.tables import ChargingSessionRow
from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import CustomerKind, DeliveryPeriod, MeteringKind
from chargebook.domain.models import ChargerSource, ChargingSession
from chargebook.ere import ReasonCode, is_mid_metered
from chargebook.ere.service import (
    MeteringEvidence,
    metering_history,
    record_construct,
    set_customer_kind,
)
from chargebook.ere.service.eligibility import (
    EligibilityReport,
    eligibility_report,
    eligibility_report_streamed,
)

from .helpers import NOW, PARAMETERS, BookBuilder, make_ean, mid_charger, plain_charger

YEAR = DeliveryPeriod(2026)
JAN_1 = datetime(2026, 1, 1, 7, 30, tzinfo=UTC)  # the first session, 1 January


def _sessions(book: BookBuilder, charger: int, prefix: str, count: int = 40) -> None:
    """A session every fourth day from 1 January, as a backfill brings them."""
    book.insert_sessions(
        charger,
        [(f"{prefix}{n}", JAN_1 + timedelta(days=4 * n), 90, "9.5") for n in range(count)],
    )


def _reports(book: BookBuilder) -> tuple[EligibilityReport, EligibilityReport]:
    with book.database.session() as session:
        store = EreStore(session, book.clock)
        sql = eligibility_report(store, YEAR, parameters=PARAMETERS, now=NOW)
        python = eligibility_report_streamed(store, YEAR, parameters=PARAMETERS, now=NOW)
    return sql, python


def _starts(book: BookBuilder, charger: int) -> list[tuple[MeteringKind, datetime, bool]]:
    with book.database.session() as session:
        return [
            (s.construct.kind, s.construct.valid_from, s.construct.from_first_mid_session)
            for s in metering_history(EreStore(session, book.clock), charger)
        ]


def test_detection_before_or_after_the_backfill_gives_the_same_start(book: BookBuilder) -> None:
    book.sync([mid_charger("701"), mid_charger("702")], [])
    early, late = book.charger_id("701"), book.charger_id("702")
    # 701: the wizard detects the meter first (no sessions yet), the backfill follows.
    book.customer("early@example.com", "70000000000001", ["701"], since=None)
    _sessions(book, early, "e")
    # 702: the backfill brings the sessions first, detection follows.
    _sessions(book, late, "l")
    book.customer("late@example.com", "70000000000002", ["702"], since=None)

    assert (
        _starts(book, early) == _starts(book, late) == [(MeteringKind.INTEGRATED_MID, JAN_1, True)]
    )
    for report in _reports(book):
        assert report.evaluated == 80
        assert report.eligible == 80, report.first_failures


def test_a_copper_sb_with_sessions_from_1_january_qualifies_from_its_first_session(
    book: BookBuilder,
) -> None:
    book.sync([mid_charger("711")], [])
    charger = book.charger_id("711")
    _sessions(book, charger, "c")
    # Detection today (15 January 2027), as the wizard runs it: not from the day it looked.
    book.customer("copper@example.com", "70000000000011", ["711"], since=None)
    for report in _reports(book):
        assert report.eligible == report.evaluated == 40
        assert ReasonCode.NO_METERING_CONSTRUCT not in report.failures


def test_sessions_before_the_first_mid_session_are_before_the_meter(book: BookBuilder) -> None:
    book.sync([mid_charger("721")], [])
    charger = book.charger_id("721")
    book.customer("later@example.com", "70000000000021", ["721"], since=None)
    _sessions(book, charger, "m", count=10)
    with book.database.transaction() as session:  # an older session without MID energy
        row = session.query(ChargingSessionRow).filter_by(external_id="m0").one()
        row.mid_energy_kwh = None
    for report in _reports(book):
        assert report.eligible == 9
        assert report.first_failures == {ReasonCode.NO_METERING_CONSTRUCT: 1}


def test_a_pulsar_plus_stays_held_back(book: BookBuilder) -> None:
    book.sync([plain_charger("731")], [])
    charger = book.charger_id("731")
    _sessions(book, charger, "p")
    book.customer("pulsar@example.com", "70000000000031", ["731"], since=None)
    for report in _reports(book):
        assert report.eligible == 0
        assert set(report.first_failures) <= {
            ReasonCode.NO_METERING_CONSTRUCT,
            ReasonCode.METERING_NOT_QUALIFYING,
        }
        assert sum(report.first_failures.values()) == 40


@pytest.mark.parametrize("kind", [MeteringKind.SAP, MeteringKind.DEDICATED_CONNECTION])
def test_a_private_customers_external_meter_is_held_back_on_both_paths(
    book: BookBuilder, kind: MeteringKind
) -> None:
    book.sync([plain_charger("741")], [])
    charger = book.charger_id("741")
    customer = book.customer("sub@example.com", "70000000000041", ["741"])
    _sessions(book, charger, "s")
    with book.database.transaction() as session:
        record_construct(
            EreStore(session, book.clock),
            charger,
            kind=kind,
            valid_from=datetime(2025, 12, 31, tzinfo=UTC),
            mid_serial="SUB-1",
            sap_ean=make_ean("70000000000099") if kind is MeteringKind.SAP else None,
            explanation="separate MID meter",
            evidence=MeteringEvidence(reference="installer's report"),
        )
    for report in _reports(book):
        assert report.eligible == 0
        assert report.first_failures == {ReasonCode.EXTERNAL_METER_PRIVATE_CUSTOMER: 40}
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        set_customer_kind(store, ean=customer.ean, kind=CustomerKind.BUSINESS)
    for report in _reports(book):
        assert report.eligible == 40


@pytest.mark.parametrize(
    ("mid_kwh", "meter", "metered"),
    [
        pytest.param("7.5", (None, None), True, id="mid-energy"),
        pytest.param("0", (None, None), False, id="zero-mid-energy"),
        pytest.param(None, (None, None), False, id="nothing"),
        pytest.param(None, (10, 9_000), True, id="register-moved"),
        pytest.param(None, (10, 10), False, id="register-still"),
        pytest.param(None, (10, None), False, id="register-open"),
    ],
)
def test_the_sql_first_mid_session_is_the_pure_rule(
    book: BookBuilder, mid_kwh: str | None, meter: tuple[int | None, int | None], metered: bool
) -> None:
    """`db.ere.metering.mid_metered` says what `chargebook.ere.is_mid_metered` says."""
    book.sync([mid_charger("751")], [])
    charger = book.charger_id("751")
    _sessions(book, charger, "r", count=1)
    with book.database.transaction() as session:
        row = session.query(ChargingSessionRow).filter_by(external_id="r0").one()
        row.mid_energy_kwh = None if mid_kwh is None else Decimal(mid_kwh)
        row.meter_start_wh, row.meter_stop_wh = meter
    with book.database.session() as session:
        store = EreStore(session, book.clock)
        start = store.metering.first_mid_session_start(charger)
    pure = is_mid_metered(
        ChargingSession(
            source=ChargerSource.WALLBOX_CLOUD, external_id="r0", charger_external_id="751",
            started_at=JAN_1, ended_at=JAN_1 + timedelta(minutes=90), energy_kwh=Decimal("9.5"),
            mid_energy_kwh=None if mid_kwh is None else Decimal(mid_kwh),
            meter_start_wh=meter[0], meter_stop_wh=meter[1], discharged_energy_kwh=Decimal(0),
        )
    )  # fmt: skip
    assert pure is metered
    assert (start == JAN_1) is metered
