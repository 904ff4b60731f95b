"""The credits page's quarters: the rules run in SQL for one customer's chargers only and
give exactly what the Python rules over the whole book give for that customer."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database
from chargebook.db.accounts.tables import UserRow
from chargebook.db.book.tables import ChargingSessionRow
from chargebook.db.core.canonical import canonical_json, sha256_hex
from chargebook.db.core.testing import example_charger
from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import Address, DeliveryPeriod, MeteringKind
from chargebook.domain.models import MidMeter
from chargebook.ere import gs1_check_digit, load_parameters
from chargebook.ere.service import (
    MeteringEvidence,
    add_connection,
    add_mandate,
    record_construct,
)
from chargebook.ere.service.credits import quarter_credits, recent_quarters
from chargebook.ere.service.rules_path import RulesPath
from chargebook.ere.service.sql_path import invalid_mandates

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def _ean(n: int) -> str:
    body = f"871{n:014d}"
    return body + str(gs1_check_digit(body))


def _customer(database: Database, clock: FixedClock, n: int, *, mandate: bool) -> int:
    """A customer with a MID charger, its connection, construct (and mandate); returns the id."""
    with database.transaction() as session:
        user = UserRow(email=f"c{n}@example.com", password_hash="!", role="owner",
                       created_at=NOW)  # fmt: skip
        session.add(user)
        session.flush()
        charger = ChargerRepository(session, clock).upsert(
            example_charger(f"q{n}", model="Copper SB", mid=MidMeter(True, f"M{n}", 1)),
            owner_user_id=user.id,
        )
        store = EreStore(session, clock)
        add_connection(store, ean=_ean(n), customer_email=user.email,
                       connected_party_name=f"C {n}", address=Address("Laan", "1", "1234 AB", "X"),
                       charger_ids=[charger.id])  # fmt: skip
        record_construct(store, charger.id, kind=MeteringKind.INTEGRATED_MID,
                         valid_from=datetime(2025, 12, 1, tzinfo=UTC), mid_serial=f"M{n}",
                         explanation="test",
                         evidence=MeteringEvidence(reference="test"))  # fmt: skip
        if mandate:
            add_mandate(store, ean=_ean(n), service_provider_id="chargebook", first_year=2026,
                        last_year=2026, consent_grid_operator_data=True,
                        consent_verifier_visit=True, signed_by_name=f"C {n}",
                        signed_on=date(2026, 1, 2))  # fmt: skip
        start = datetime(2026, 6, 1, 18, tzinfo=UTC)
        for k in range(40):  # every fifth day, June into November
            began = start + timedelta(days=4 * k, hours=n)
            minutes = 90 if k != 7 else 60 * 24 * 5  # one runs into the next: overlap
            kwh = Decimal("7.25") + k % 3 if k != 11 else Decimal("80")  # k=11: above 22 kW
            raw = canonical_json({"id": f"{n}-{k}"})
            session.add(ChargingSessionRow(
                charger_id=charger.id, source="wallbox_cloud", external_id=f"{n}-{k}",
                started_at=began, ended_at=began + timedelta(minutes=minutes), energy_kwh=kwh,
                mid_energy_kwh=kwh, discharged_energy_kwh=Decimal(0), raw_payload=raw,
                raw_sha256=sha256_hex(raw), state="ok", first_seen_at=NOW, last_seen_at=NOW,
            ))  # fmt: skip
        return user.id


def test_quarters_in_sql_for_one_customer_equal_the_python_rules(
    database: Database, clock: FixedClock
) -> None:
    first = _customer(database, clock, 1, mandate=True)
    second = _customer(database, clock, 2, mandate=True)
    unmandated = _customer(database, clock, 3, mandate=False)
    parameters = load_parameters()
    periods = recent_quarters(NOW, 3)
    assert periods[0] == DeliveryPeriod(2026, 4)
    with database.session() as session:
        store = EreStore(session, clock)
        results = {}
        for customer in (first, second, unmandated):
            for period in periods:
                in_sql, streamed = (
                    quarter_credits(
                        store, customer, period, [], parameters=parameters, now=NOW, path=flag
                    )
                    for flag in (RulesPath.SQL, RulesPath.PYTHON)
                )
                assert in_sql == streamed, (customer, period)
                results[customer, period] = in_sql
    q3 = DeliveryPeriod(2026, 3)
    # 24 sessions end in Q3 (k = 7..30: June 1st + 4-day steps, by their end); three fail: the
    # overlap pair (k=7 runs into k=8) and the one above the charger's power (k=11).
    assert results[first, q3].eligible_sessions == 24 - 3
    assert results[first, q3].eligible_ere > 0
    assert results[first, q3].eligible_energy_kwh == results[second, q3].eligible_energy_kwh
    assert results[unmandated, q3].eligible_sessions == 0
    assert results[first, DeliveryPeriod(2026, 4)].open
    assert results[first, DeliveryPeriod(2026, 4)].pending_ere > 0


def test_mandates_read_once_per_page_give_the_same_quarters(
    database: Database, clock: FixedClock
) -> None:
    """The page passes `invalid_mandates` once for all quarters: same figures as reading the
    mandates per quarter, and an incomplete-mandate id makes the customer's sessions fail."""
    customer = _customer(database, clock, 1, mandate=True)
    parameters = load_parameters()
    q3 = DeliveryPeriod(2026, 3)
    with database.session() as session:
        store = EreStore(session, clock)
        invalid = invalid_mandates(store)
        assert invalid == []
        per_quarter, once = (
            quarter_credits(
                store,
                customer,
                q3,
                [],
                parameters=parameters,
                now=NOW,
                path=RulesPath.SQL,
                invalid_mandate_ids=ids,
            )
            for ids in (None, invalid)
        )
        assert per_quarter == once
        assert once.eligible_sessions == 24 - 3
        every_mandate = [stored.id for stored in store.mandates.list()]
        flagged = quarter_credits(
            store,
            customer,
            q3,
            [],
            parameters=parameters,
            now=NOW,
            path=RulesPath.SQL,
            invalid_mandate_ids=every_mandate,
        )
        assert flagged.eligible_sessions == 0
