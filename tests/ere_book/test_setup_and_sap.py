"""Mandates (one provider per EAN per year, also in the database), SAP lines booked from the
meter's readings, and the export redaction of secret-looking keys."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import CustomerKind, DeliveryPeriod, MeteringKind
from chargebook.ere import MandateConflictError, SapReconciliationError
from chargebook.ere.service import (
    MeteringEvidence,
    add_mandate,
    create_batch,
    import_sap_readings,
    record_construct,
    set_customer_kind,
)
from chargebook.ere.service.evidence import REDACTED, redact
from chargebook.errors import ConflictError

from .helpers import NOW, PARAMETERS, BookBuilder, make_ean, plain_charger

SAP_EAN = make_ean("50000000000099")


def _mandate(store: EreStore, ean: str, provider: str, years: tuple[int, int]) -> None:
    add_mandate(
        store,
        ean=ean,
        service_provider_id=provider,
        first_year=years[0],
        last_year=years[1],
        consent_grid_operator_data=True,
        consent_verifier_visit=True,
        signed_by_name="W. de Vries",
        signed_on=date(2026, 1, 3),
    )


def test_one_service_provider_per_ean_and_year(book: BookBuilder) -> None:
    book.sync([plain_charger("851")], [])
    customer = book.customer("w@example.com", "50000000000001", ["851"], mandate_years=(2026, 2026))
    with pytest.raises(MandateConflictError), book.database.transaction() as session:
        _mandate(EreStore(session, book.clock), customer.ean, "other-provider", (2026, 2027))
    with pytest.raises(ConflictError), book.database.transaction() as session:
        _mandate(EreStore(session, book.clock), customer.ean, "chargebook", (2026, 2027))
    with book.database.transaction() as session:
        _mandate(EreStore(session, book.clock), customer.ean, "other-provider", (2027, 2028))
    # Bypassing the services, the database's key still holds.
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"), book.database.transaction() as s:
        s.execute(
            text(
                "INSERT INTO ere_mandate_years (ean, year, mandate_id, service_provider_id) "
                "SELECT ean, 2026, id, 'third' FROM ere_mandates WHERE last_year = 2028"
            )
        )


def test_a_sap_line_books_the_meter_figure_under_the_sap_ean(book: BookBuilder) -> None:
    book.sync([plain_charger("861")], [])
    charger = book.charger_id("861")
    book.customer("x@example.com", "50000000000011", ["861"], mandate_years=None)
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        record_construct(
            store,
            charger,
            kind=MeteringKind.SAP,
            valid_from=datetime(2026, 1, 1, tzinfo=UTC),  # after detection's `none`
            mid_serial="SAP-1",
            sap_ean=SAP_EAN,
            explanation="SAP installed by the grid operator",
            evidence=MeteringEvidence(reference="grid operator's SAP confirmation"),
        )
        # A separate MID meter counts only for a business customer (ere-rules §3.4).
        set_customer_kind(store, ean=make_ean("50000000000011"), kind=CustomerKind.BUSINESS)
        _mandate(store, make_ean("50000000000011"), "chargebook", (2026, 2026))
    start = datetime(2026, 1, 3, 18, tzinfo=UTC)
    book.insert_sessions(
        charger, [(f"p{n}", start + timedelta(days=n), 60, "10") for n in range(50)]
    )
    q1 = DeliveryPeriod(2026, 1)
    with pytest.raises(SapReconciliationError), book.database.transaction() as session:
        create_batch(EreStore(session, book.clock), q1, parameters=PARAMETERS, now=NOW)
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        done = import_sap_readings(
            store,
            SAP_EAN,
            "timestamp,register_kwh\n2026-01-01T00:00:00+01:00,100\n2026-04-01T00:00:00+02:00,615\n",
        )
        assert [c.period for c in done.checks] == [q1]
        assert done.checks[0].reconciliation.flagged  # 515 kWh metered vs 500 in sessions: 2.9 %
        created = create_batch(store, q1, parameters=PARAMETERS, now=NOW)
    (line,) = created.lines
    assert line.ean == SAP_EAN
    assert line.metering_kind is MeteringKind.SAP
    assert line.energy_kwh == Decimal(515)
    assert line.sessions_energy_kwh == Decimal(500)
    assert line.reconciliation is not None
    assert line.reconciliation["flagged"] == "true"


def test_secret_looking_keys_are_redacted_from_exported_payloads() -> None:
    payload = {
        "id": "1",
        "user": {"name": "A", "access_token": "t0k"},
        "items": [{"password": "p"}],
    }
    clean, changed = redact(payload)
    assert changed
    assert clean == {
        "id": "1",
        "user": {"name": "A", "access_token": REDACTED},
        "items": [{"password": REDACTED}],
    }
    assert redact({"energy": 5}) == ({"energy": 5}, False)
