from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chargebook.domain.ere import CustomerKind, DeliveryPeriod, MeteringKind, PeriodKind
from chargebook.ere import (
    BatchBuilder,
    DuplicateSessionError,
    ManifestError,
    MissingPriceError,
    SapReconciliationError,
    build_manifest,
    build_statements,
    calculate_ere,
    evaluate_sessions,
    load_parameters,
    round_ere,
)

from .factories import (
    SAP_EAN,
    make_construct,
    make_context,
    make_ean,
    make_link,
    make_mandate,
    make_session,
)

PARAMS = load_parameters()
Q1, Q2 = DeliveryPeriod(2026, 1), DeliveryPeriod(2026, 2)


def _start(day: int) -> datetime:
    return datetime(2026, 1, 1, 8, tzinfo=UTC) + timedelta(days=day)


def _results(  # type: ignore[no-untyped-def]
    days_kwh: list[tuple[int, str]], context=None, hours: float = 2
):
    sessions = [
        make_session(f"s{i}", start=_start(d), hours=hours, mid_energy_kwh=k)
        for i, (d, k) in enumerate(days_kwh)
    ]
    return list(evaluate_sessions(sessions, context or make_context()))


def test_lines_per_customer_ean_and_quarter() -> None:
    builder = BatchBuilder(period_kind=PeriodKind.QUARTER, parameters=PARAMS)
    builder.add_all(_results([(0, "10"), (40, "20"), (100, "5"), (101, "0")]))  # last: ineligible
    batch = builder.build()
    assert [(line.period, line.energy_kwh, line.session_count) for line in batch.lines] == [
        (Q1, Decimal(30), 2),
        (Q2, Decimal(5), 1),
    ]
    first = batch.lines[0]
    assert first.energy_kwh_by_month == (("2026-01", Decimal(10)), ("2026-02", Decimal(20)))
    assert first.session_ids == ("s0", "s1")
    assert first.mandate_id == "m1"
    assert first.mandate_first_year == first.mandate_last_year == 2026
    assert first.ere == calculate_ere(Decimal(30), 2026, PARAMS).ere
    assert first.delivery_start == datetime(2025, 12, 31, 23, tzinfo=UTC)
    assert first.delivery_end == datetime(2026, 3, 31, 22, tzinfo=UTC)
    assert batch.skipped_ineligible == 1
    assert batch.total_ere == sum(line.ere for line in batch.lines)
    assert batch.parameter_version == PARAMS.version


def test_yearly_batch_has_one_line() -> None:
    builder = BatchBuilder(period_kind=PeriodKind.YEAR, parameters=PARAMS)
    builder.add_all(_results([(0, "1250"), (200, "1250")], hours=150))
    (line,) = builder.build().lines
    assert line.period == DeliveryPeriod(2026)
    assert line.ere == Decimal("831.7")  # the reference's 2,500 kWh example, as one line


def test_duplicate_session_is_refused() -> None:
    builder = BatchBuilder(period_kind=PeriodKind.QUARTER, parameters=PARAMS)
    (result,) = _results([(0, "10")])
    builder.add(result)
    with pytest.raises(DuplicateSessionError, match="s0"):
        builder.add(result)


def test_sap_line_books_the_meter_and_flags_the_difference() -> None:
    business = CustomerKind.BUSINESS  # a separate MID meter counts for a business only
    link = make_link(constructs=(make_construct(MeteringKind.SAP),), customer_kind=business)
    context = make_context(links=(link,))
    builder = BatchBuilder(period_kind=PeriodKind.QUARTER, parameters=PARAMS)
    builder.add_all(_results([(0, "10"), (1, "10")], context))
    with pytest.raises(SapReconciliationError, match="meter"):
        builder.build()
    key = ("cust-1", SAP_EAN, Q1)
    (line,) = builder.build(meter_energy_kwh={key: Decimal("25")}).lines
    assert line.ean == SAP_EAN
    assert line.metering_kind is MeteringKind.SAP
    assert line.energy_kwh == Decimal(25)
    assert line.sessions_energy_kwh == Decimal(20)
    assert line.reconciliation is not None
    assert line.reconciliation.flagged
    (ok,) = builder.build(meter_energy_kwh={key: Decimal("20.3")}).lines
    assert ok.reconciliation is not None
    assert not ok.reconciliation.flagged


def test_pre_aggregated_quantities_match_streamed_sessions() -> None:
    streamed = BatchBuilder(period_kind=PeriodKind.QUARTER, parameters=PARAMS)
    streamed.add_all(_results([(0, "10"), (1, "2.5"), (40, "7")]))
    aggregated = BatchBuilder(
        period_kind=PeriodKind.QUARTER, parameters=PARAMS, keep_session_ids=False
    )
    ean = make_link().ean
    for month, kwh, count in ((1, "12.5", 2), (2, "7", 1)):
        aggregated.add_quantity(
            customer_id="cust-1",
            ean=ean,
            year=2026,
            month=month,
            energy_kwh=Decimal(kwh),
            session_count=count,
            mandate=make_mandate(),
        )
    a, b = streamed.build(), aggregated.build()
    assert (a.total_energy_kwh, a.total_ere, a.session_count) == (
        b.total_energy_kwh,
        b.total_ere,
        b.session_count,
    )


def test_statements_per_customer_and_quarter() -> None:
    other_ean = make_ean("00000000000042")
    context = make_context(
        links=(make_link("c1"), make_link("c2", ean=other_ean)),
        mandates=(make_mandate(), make_mandate(mandate_id="m2", ean=other_ean)),
    )
    sessions = [
        make_session("a", start=_start(0), hours=150, mid_energy_kwh="1500"),
        make_session("b", charger="c2", start=_start(1), hours=150, mid_energy_kwh="1500"),
        make_session("c", start=_start(95), mid_energy_kwh="20"),
    ]
    builder = BatchBuilder(period_kind=PeriodKind.QUARTER, parameters=PARAMS)
    for result in evaluate_sessions(sessions, context):
        assert result.eligible, result.failures
        builder.add(result)
    batch = builder.build()
    prices = {Q1: Decimal("0.489"), Q2: Decimal("0.50")}
    q1, q2 = build_statements(batch.lines, prices)
    assert q1.eans == tuple(sorted({make_link().ean, other_ean}))
    assert q1.energy_kwh == Decimal(3000)
    assert q1.ere == round_ere(Decimal(1500) * Decimal("0.332694")) * 2  # sum of rounded lines
    assert q1.payout.gross_eur == q1.payout.fee_eur + q1.payout.payout_eur
    assert q1.payout.fee_rate == Decimal("0.20")
    assert q2.period == Q2
    assert q2.energy_kwh_by_month == (("2026-04", Decimal(20)),)
    with pytest.raises(MissingPriceError, match="2026-Q2"):
        build_statements(batch.lines, {Q1: Decimal("0.5")})


DIGEST = "ab" * 32


def test_manifest_is_deterministic_and_hashed() -> None:
    builder = BatchBuilder(period_kind=PeriodKind.QUARTER, parameters=PARAMS)
    builder.add_all(_results([(0, "10"), (1, "5")]))
    batch = builder.build()
    pairs = [("s1", "cd" * 32), ("s0", DIGEST)]
    one = build_manifest(
        batch_id="b-1", parameter_version=PARAMS.version, sessions=pairs, batch=batch
    )
    two = build_manifest(
        batch_id="b-1", parameter_version=PARAMS.version, sessions=reversed(pairs), batch=batch
    )
    assert one == two
    assert [s["id"] for s in one.document["sessions"]] == ["s0", "s1"]
    assert one.sha256 == hashlib.sha256(one.canonical_json.encode()).hexdigest()
    assert json.loads(one.canonical_json) == one.document
    assert one.document["total_ere"] == str(batch.total_ere)
    changed = build_manifest(batch_id="b-1", parameter_version="other", sessions=pairs)
    assert changed.sha256 != one.sha256


@pytest.mark.parametrize(
    ("pairs", "fragment"),
    [
        pytest.param([("s0", "xyz")], "SHA-256", id="bad-hash"),
        pytest.param([("s0", DIGEST.upper())], "SHA-256", id="upper-case-hash"),
        pytest.param([("s0", DIGEST), ("s0", DIGEST)], "twice", id="duplicate"),
    ],
)
def test_manifest_rejects_bad_input(pairs: list[tuple[str, str]], fragment: str) -> None:
    with pytest.raises(ManifestError, match=fragment):
        build_manifest(batch_id="b", parameter_version="v", sessions=pairs)


# Property tests: random sessions over customers, chargers and the year.
session_spec = st.tuples(
    st.integers(min_value=0, max_value=2),  # charger index (c2 belongs to a second customer)
    st.integers(min_value=0, max_value=364),  # day of 2026
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal("80"), places=3),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(session_spec, max_size=40), st.sampled_from(list(PeriodKind)))
def test_batch_totals_equal_lines_and_sessions(
    specs: list[tuple[int, int, Decimal]], kind: PeriodKind
) -> None:
    eans = [make_ean(f"0000000000000{i}") for i in range(3)]
    links = tuple(
        make_link(f"c{i}", ean=eans[i], customer=f"cust-{min(i, 1)}", max_power_kw="22")
        for i in range(3)
    )
    mandates = tuple(
        make_mandate(mandate_id=f"m{i}", ean=eans[i], customer=f"cust-{min(i, 1)}")
        for i in range(3)
    )
    # one session per charger per day-slot, 12 h long: never overlapping within a charger
    seen: set[tuple[int, int]] = set()
    sessions = []
    for n, (charger, day, kwh) in enumerate(sorted(specs, key=lambda s: (s[0], s[1]))):
        if (charger, day) in seen:
            continue
        seen.add((charger, day))
        sessions.append(
            make_session(
                f"x{n}",
                charger=f"c{charger}",
                start=_start(day),
                hours=12,
                energy_kwh=str(kwh),
                mid_energy_kwh=str(kwh),
            )
        )
    results = list(evaluate_sessions(sessions, make_context(links=links, mandates=mandates)))
    assert all(r.eligible for r in results)
    builder = BatchBuilder(period_kind=kind, parameters=PARAMS)
    builder.add_all(results)
    batch = builder.build()
    assert batch.total_energy_kwh == sum((r.net_energy_kwh for r in results), Decimal(0))
    assert batch.total_energy_kwh == sum((line.energy_kwh for line in batch.lines), Decimal(0))
    assert batch.total_ere == sum((line.ere for line in batch.lines), Decimal(0))
    assert batch.session_count == len(results) == sum(line.session_count for line in batch.lines)
    ids = [sid for line in batch.lines for sid in line.session_ids]
    assert len(ids) == len(set(ids)) == len(results)  # no session in two lines
    for line in batch.lines:
        assert line.ere == round_ere(calculate_ere(line.energy_kwh, 2026, PARAMS).ere_exact)
        assert sum((kwh for _, kwh in line.energy_kwh_by_month), Decimal(0)) == line.energy_kwh
    # rounding is stable: the same sessions in another order give the same batch
    again = BatchBuilder(period_kind=kind, parameters=PARAMS)
    again.add_all(reversed(results))
    assert again.build() == batch
