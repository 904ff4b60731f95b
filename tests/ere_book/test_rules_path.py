"""`rules_path` is the one choice between the SQL query and the Python reference: the SQL
path on a book whose chargers' metering constructs are disjoint in time, the Python rules as
soon as two constructs of a charger overlap (the repository never writes that; an operator's
hand in the database can), and every whole-period use case follows it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chargebook.db.ere.store import EreStore
from chargebook.db.ere.tables import EreMeteringConstructRow
from chargebook.domain.ere import DeliveryPeriod
from chargebook.ere import load_parameters
from chargebook.ere.service import eligibility_report
from chargebook.ere.service.credits import page_quarters
from chargebook.ere.service.eligibility import eligibility_report_streamed
from chargebook.ere.service.rules_path import RulesPath, rules_path
from chargebook.ere.service.sql_path import verdict_query

from .helpers import BookBuilder, daily_records, mid_charger

YEAR = DeliveryPeriod(2026)
PARAMETERS = load_parameters()


def test_overlapping_constructs_send_every_use_case_to_the_python_rules(
    book: BookBuilder,
) -> None:
    book.sync([mid_charger("601")], daily_records("601", "p", 40, "10"))
    customer = book.customer("piet@example.com", "10000000000061", ["601"])
    now = book.clock.now()
    with book.database.session() as session:
        store = EreStore(session, book.clock)
        assert rules_path(store) is RulesPath.SQL
        in_sql = eligibility_report(store, YEAR, parameters=PARAMETERS, now=now)
    assert in_sql.eligible == 40

    with book.database.transaction() as session:
        start = datetime(2026, 1, 10, tzinfo=UTC)
        session.add(EreMeteringConstructRow(
            charger_id=customer.charger_ids[0], kind="none", valid_from=start,
            valid_until=start + timedelta(days=5), explanation="typed by hand",
            recorded_by="operator", created_at=now,
        ))  # fmt: skip

    with book.database.session() as session:
        store = EreStore(session, book.clock)
        assert rules_path(store) is RulesPath.PYTHON
        chosen = eligibility_report(store, YEAR, parameters=PARAMETERS, now=now)
        reference = eligibility_report_streamed(store, YEAR, parameters=PARAMETERS, now=now)
        quarters = page_quarters(
            store, customer.user_id, [DeliveryPeriod(2026, 1)], [], parameters=PARAMETERS, now=now
        )
        streamed = page_quarters(
            store,
            customer.user_id,
            [DeliveryPeriod(2026, 1)],
            [],
            parameters=PARAMETERS,
            now=now,
            path=RulesPath.PYTHON,
        )
        # What the query would say here: the sessions under both constructs counted twice.
        groups = store.eligibility_summary(verdict_query(store, YEAR, now=now))
    assert sum(group.sessions for group in groups) > 40
    assert chosen == reference
    assert chosen.evaluated == 40
    assert quarters == streamed
    assert quarters[0].eligible_energy_kwh == reference.eligible_energy_kwh
