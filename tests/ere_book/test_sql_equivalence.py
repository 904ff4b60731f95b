"""The SQL eligibility path (`chargebook.db.ere.eligibility`) gives exactly what the pure
Python rules give (`chargebook.ere.evaluate_sessions` over the stream): the same failures per
session in rule order, the same reports, and the same batches (lines, totals, registered
sessions and their kWh), on SQLite and PostgreSQL.

The book holds generated sessions that hit every reason code: chargers without a mandate,
with an incomplete mandate or another provider's, without a construct, with a non-qualifying
one, a SAP installed mid-quarter (sessions straddling it), zero / negative / boundary energy
(exactly at and just over max power x 1.02), zero durations, microsecond times, overlaps
(including equal starts), V2G feed-back at, above and below the energy, missing MID energy
with and without register readings, sessions in the overlap margin before the period, a
registered batch, and a closed delivery year.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from chargebook.db.book.tables import ChargingSessionRow
from chargebook.db.core.canonical import canonical_json, sha256_hex
from chargebook.db.core.testing import example_charger
from chargebook.db.ere.eligibility import RULE_ORDER, failures_of
from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import CustomerKind, DeliveryPeriod, MeteringKind
from chargebook.domain.models import MidMeter
from chargebook.ere import BookingPolicy
from chargebook.ere.service import (
    MeteringEvidence,
    add_mandate,
    create_batch,
    detect_metering,
    import_sap_readings,
    link_charger,
    record_construct,
    set_customer_kind,
)
from chargebook.ere.service.batch_create import create_batch_streamed
from chargebook.ere.service.context import stream_verdicts
from chargebook.ere.service.eligibility import eligibility_report, eligibility_report_streamed
from chargebook.ere.service.sql_path import verdict_query

from .helpers import NOW, PARAMETERS, BookBuilder, make_ean, mid_charger, plain_charger

T = TypeVar("T")
LATE = datetime(2027, 3, 5, tzinfo=UTC)  # after the 2026 booking deadline
SAP_EAN = make_ean("99000000000077")
Q1 = DeliveryPeriod(2026, 1)
YEAR = DeliveryPeriod(2026)
ENERGIES = ["0", "-1.5", "7.5", "10", "22.5216", "22.521601", "11.2608", "11.260801", "3.333"]
DURATIONS = [
    timedelta(0),
    timedelta(seconds=1),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=1),
    timedelta(hours=1, microseconds=-1),  # just too short for the boundary energies
    timedelta(hours=2),
    timedelta(days=3),
]


def _rolled_back(book: BookBuilder, work: Callable[[EreStore], T]) -> T:
    """Run `work` in a session that is never committed (rolled back when it closes)."""
    with book.database.session() as session:
        return work(EreStore(session, book.clock))


def _build(book: BookBuilder) -> dict[str, int]:
    chargers = [
        mid_charger("901"),
        mid_charger("902"),
        mid_charger("903"),
        plain_charger("904"),
        plain_charger("905"),
        mid_charger("906"),
        example_charger(
            "907",
            model="Copper SB",
            part_number="CPB1-0-2-4-9-002-E",
            mid=MidMeter(enabled=True, serial_number="MID-907", status=1),
            max_current_a=16,
        ),
        plain_charger("908"),
    ]
    book.sync(chargers, [])
    ids = {c.external_id: book.charger_id(c.external_id) for c in chargers}
    # Signed in November: the mandate covers its whole year, from 1 January, on both paths.
    book.customer("a@example.com", "91000000000001", ["901", "907"], signed_on=date(2026, 11, 20))
    book.customer("b@example.com", "91000000000002", ["902"], mandate_years=None)
    book.customer(
        "c@example.com", "91000000000003", ["903"], since=datetime(2026, 2, 1, tzinfo=UTC)
    )
    book.customer("d@example.com", "91000000000004", ["904"])
    book.customer("e@example.com", "91000000000005", ["905"])
    book.customer("f@example.com", "91000000000006", ["906"], mandate_years=None)
    book.customer("g@example.com", "91000000000007", ["908"])
    # A MID charger detected before any of its sessions are in the book: its construct counts
    # from its first MID-metered session, which the sessions inserted later decide.
    book.sync([*chargers, mid_charger("909")], [])
    ids["909"] = book.charger_id("909")
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        for tail, provider, verifier in (("2", "chargebook", False), ("6", "other", True)):
            add_mandate(
                store,
                ean=make_ean(f"9100000000000{tail}"),
                service_provider_id=provider,
                first_year=2026,
                last_year=2026,
                consent_grid_operator_data=True,
                consent_verifier_visit=verifier,
                signed_by_name="J. Jansen",
                signed_on=date(2026, 1, 2),
            )
        record_construct(
            store,
            ids["905"],
            kind=MeteringKind.SAP,
            valid_from=datetime(2026, 2, 1, 12, tzinfo=UTC),
            mid_serial="SAP-1",
            sap_ean=SAP_EAN,
            explanation="SAP installed",
            evidence=MeteringEvidence(reference="grid operator's SAP confirmation"),
        )
        # A SAP counts for a business customer only; the private customer's dedicated
        # connection fails with `external_meter_private_customer`.
        set_customer_kind(store, ean=make_ean("91000000000005"), kind=CustomerKind.BUSINESS)
        record_construct(
            store,
            ids["908"],
            kind=MeteringKind.DEDICATED_CONNECTION,
            valid_from=datetime(2026, 1, 10, tzinfo=UTC),
            explanation="connection used only for charging",
            evidence=MeteringEvidence(reference="grid operator's letter"),
        )
        link_charger(store, ean=make_ean("91000000000001"), charger_id=ids["909"])
        (found,) = detect_metering(store, now=NOW, charger_id=ids["909"])
        assert found.construct is not None
        assert found.construct.construct.from_first_mid_session
        import_sap_readings(
            store,
            SAP_EAN,
            "timestamp,register_kwh\n"
            "2025-12-01T00:00:00+01:00,10\n2026-01-01T00:00:00+01:00,100\n"
            "2026-04-01T00:00:00+02:00,615\n2026-07-01T00:00:00+02:00,900\n"
            "2026-10-01T00:00:00+02:00,1200\n2027-01-01T00:00:00+01:00,1500\n",
        )
    return ids


def _sessions(book: BookBuilder, ids: dict[str, int], seed: int, count: int) -> None:
    rng = random.Random(seed)
    first = datetime(2025, 12, 27, tzinfo=UTC)
    with book.database.transaction() as session:
        for n in range(count):
            charger = rng.choice(sorted(ids))
            start = first + timedelta(minutes=rng.randrange(0, 105 * 24 * 60, 30))
            if rng.random() < 0.2:
                start += timedelta(microseconds=rng.randrange(1_000_000))
            end = start + rng.choice(DURATIONS)
            if n < 2:  # straddles the change to the SAP construct: no construct covers it
                charger, start = "905", datetime(2026, 2, 1, 11, 30 + n, tzinfo=UTC)
                end = start + timedelta(hours=1)
            energy = Decimal(rng.choice(ENERGIES))
            mid: Decimal | None = energy
            meter: tuple[int | None, int | None] = (None, None)
            roll = rng.random()
            if roll < 0.1:
                mid = None
            elif roll < 0.2:
                mid = None
                meter = (50_000, 50_000 + rng.choice([0, 7_500, 10_000, 22_521, 40_000]))
            elif roll < 0.25:
                mid = Decimal("4.25")
            discharged = rng.choice(
                [Decimal(0)] * 6 + [None, Decimal(-1), Decimal(2), mid or Decimal(5)]
            )
            raw = canonical_json({"id": f"s{seed}-{n}", "energy": str(energy)})
            session.add(
                ChargingSessionRow(
                    charger_id=ids[charger],
                    source="wallbox_cloud",
                    external_id=f"s{seed}-{n}",
                    started_at=start,
                    ended_at=end,
                    energy_kwh=energy,
                    mid_energy_kwh=mid,
                    discharged_energy_kwh=discharged,
                    meter_start_wh=meter[0],
                    meter_stop_wh=meter[1],
                    raw_payload=raw,
                    raw_sha256=sha256_hex(raw),
                    state="ok",
                    first_seen_at=NOW,
                    last_seen_at=NOW,
                )
            )


Scenario = tuple[DeliveryPeriod, datetime, str | None]
SCENARIOS: list[Scenario] = [
    (YEAR, NOW, None),
    (Q1, NOW, "chargebook"),
    (DeliveryPeriod(2026, 2), NOW, None),
    (YEAR, LATE, None),
]


def _python_verdicts(store: EreStore, scenario: Scenario) -> dict[int, tuple[Any, ...]]:
    period, now, provider = scenario
    return {
        int(v.session_id): (
            tuple(code.value for code in v.failures),
            v.booking_ean,
            v.delivery_month,
            v.net_energy_kwh if v.eligible else None,
        )
        for v, _ in stream_verdicts(store, period, now=now, service_provider_id=provider)
    }


def _sql_verdicts(store: EreStore, scenario: Scenario) -> dict[int, tuple[Any, ...]]:
    period, now, provider = scenario
    query = verdict_query(store, period, now=now, service_provider_id=provider)
    return {
        int(row["session_id"]): (
            failures_of(row["failure_mask"]),
            row["booking_ean"],
            row["month"],
            Decimal(row["net_micro_kwh"]).scaleb(-6) if row["first_reason"] is None else None,
        )
        for row in store.verdict_rows(query)
    }


def _numbers(reconciliation: dict[str, str] | None) -> dict[str, Any] | None:
    """The reconciliation's figures as numbers: their text form follows the backend."""
    if reconciliation is None:
        return None
    return {k: v if k == "flagged" else Decimal(v) for k, v in reconciliation.items()}


def _batch_facts(created: Any, store: EreStore) -> dict[str, Any]:
    batch = created.batch
    return {
        "totals": (batch.total_energy_kwh, batch.total_ere, batch.session_count),
        "evaluated": created.evaluated,
        "skipped": created.skipped_by_reason,
        "lines": [
            (
                line.customer_id,
                line.ean,
                line.metering_kind,
                line.energy_kwh,
                line.sessions_energy_kwh,
                tuple((m, Decimal(k)) for m, k in line.energy_kwh_by_month),
                line.session_count,
                line.mandate_id,
                line.ere_exact,
                line.ere,
                _numbers(line.reconciliation),
            )
            for line in created.lines
        ],
        "sessions": sorted(
            (s.session_id, s.energy_kwh, s.raw_sha256)
            for s in store.batches.registered_sessions(batch.id)
        ),
    }


def test_sql_path_equals_the_python_rules(book: BookBuilder) -> None:
    ids = _build(book)
    _sessions(book, ids, seed=1, count=350)
    with book.database.transaction() as session:  # a registered batch: already_registered
        create_batch(EreStore(session, book.clock), Q1, parameters=PARAMETERS, now=NOW)
    _sessions(book, ids, seed=2, count=250)

    seen: set[str] = set()
    for scenario in SCENARIOS:
        with book.database.session() as session:
            store = EreStore(session, book.clock)
            expected = _python_verdicts(store, scenario)
            actual = _sql_verdicts(store, scenario)
        assert actual == expected, scenario
        seen.update(code for failures, *_ in expected.values() for code in failures)
        period, now, provider = scenario
        with book.database.session() as session:
            store = EreStore(session, book.clock)
            kwargs: dict[str, Any] = {
                "parameters": PARAMETERS,
                "now": now,
                "service_provider_id": provider,
            }
            sql_report = eligibility_report(store, period, **kwargs)
            py_report = eligibility_report_streamed(store, period, **kwargs)
        for field in (
            "evaluated",
            "eligible",
            "eligible_energy_kwh",
            "estimated_ere",
            "failures",
            "first_failures",
        ):
            assert getattr(sql_report, field) == getattr(py_report, field), (scenario, field)
        assert sql_report.examples.keys() == py_report.examples.keys()
        for reason, examples in sql_report.examples.items():
            assert 0 < len(examples) <= 5
            assert all(expected[sid][0][0] == reason.value for sid in examples)
    # Every reason code the SQL path can produce was exercised.
    assert seen == set(RULE_ORDER)


@pytest.mark.parametrize(("period", "provider"), [(YEAR, None), (Q1, "chargebook")])
def test_sql_batch_equals_the_streamed_batch(
    book: BookBuilder, period: DeliveryPeriod, provider: str | None
) -> None:
    ids = _build(book)
    _sessions(book, ids, seed=3, count=300)
    policy = BookingPolicy()

    def run(create: Callable[..., Any]) -> Callable[[EreStore], dict[str, Any]]:
        def work(store: EreStore) -> dict[str, Any]:
            created = create(
                store,
                period,
                parameters=PARAMETERS,
                now=NOW,
                policy=policy,
                service_provider_id=provider,
            )
            return _batch_facts(created, store)

        return work

    sql = _rolled_back(book, run(create_batch))
    python = _rolled_back(book, run(create_batch_streamed))
    assert sql["sessions"]  # something was registered
    assert any(line[2] is MeteringKind.SAP for line in sql["lines"])
    assert sql == python
