from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from chargebook.domain.ere import CustomerKind, MeteringKind
from chargebook.domain.models import ChargingSession
from chargebook.ere import (
    REASON_MESSAGES,
    BookingPolicy,
    EligibilityContext,
    QuantitySource,
    ReasonCode,
    SessionOrderError,
    evaluate_session,
    evaluate_sessions,
)

from .factories import (
    EAN,
    SAP_EAN,
    make_construct,
    make_context,
    make_link,
    make_mandate,
    make_session,
)

R = ReasonCode


@dataclass
class Case:
    session: ChargingSession = field(default_factory=make_session)
    context: EligibilityContext = field(default_factory=make_context)
    overlaps: bool = False


CASES: list[tuple[str, Callable[[], Case], tuple[ReasonCode, ...]]] = [
    ("eligible", Case, ()),
    (
        "charger-not-linked",
        lambda: Case(context=make_context(links=())),
        (R.CHARGER_NOT_LINKED, R.NO_METERING_CONSTRUCT),
    ),
    ("no-mandate", lambda: Case(context=make_context(mandates=())), (R.NO_MANDATE,)),
    (
        "mandate-other-year",
        lambda: Case(
            context=make_context(mandates=(make_mandate(first_year=2027, last_year=2027),))
        ),
        (R.NO_MANDATE,),
    ),
    (
        "mandate-other-customer",
        lambda: Case(context=make_context(mandates=(make_mandate(customer="someone-else"),))),
        (R.NO_MANDATE,),
    ),
    (
        "mandate-without-verifier-consent",
        lambda: Case(context=make_context(mandates=(make_mandate(verifier_consent=False),))),
        (R.MANDATE_INVALID,),
    ),
    (
        "no-construct-before-registration",
        lambda: Case(
            context=make_context(
                links=(
                    make_link(
                        constructs=(make_construct(valid_from=datetime(2026, 5, 1, tzinfo=UTC)),)
                    ),
                )
            )
        ),
        (R.NO_METERING_CONSTRUCT,),
    ),
    (
        "metering-none",
        lambda: Case(
            context=make_context(
                links=(make_link(constructs=(make_construct(MeteringKind.NONE),)),)
            )
        ),
        (R.METERING_NOT_QUALIFYING,),
    ),
    (
        "private-customer-sap",
        lambda: Case(
            context=make_context(links=(make_link(constructs=(make_construct(MeteringKind.SAP),)),))
        ),
        (R.EXTERNAL_METER_PRIVATE_CUSTOMER,),
    ),
    (
        "mid-without-quantity",
        lambda: Case(session=make_session(mid_energy_kwh=None)),
        (R.NO_MID_QUANTITY,),
    ),
    (
        "energy-zero",
        lambda: Case(session=make_session(mid_energy_kwh="0")),
        (R.ENERGY_NOT_POSITIVE,),
    ),
    (
        "end-before-start",
        lambda: Case(session=make_session(hours=-1)),
        (R.END_NOT_AFTER_START,),
    ),
    (
        "end-equals-start",
        lambda: Case(session=make_session(hours=0)),
        (R.END_NOT_AFTER_START,),
    ),
    (
        "energy-above-max-power",
        lambda: Case(session=make_session(hours=1, energy_kwh="12", mid_energy_kwh="12")),
        (R.ENERGY_EXCEEDS_MAX_POWER,),
    ),
    ("overlap", lambda: Case(overlaps=True), (R.OVERLAPS_OTHER_SESSION,)),
    (
        "v2g-exceeds-charge",
        lambda: Case(session=make_session(discharged_kwh="10")),
        (R.NET_ENERGY_NOT_POSITIVE,),
    ),
    (
        "year-closed",
        lambda: Case(context=make_context(now=datetime(2027, 3, 1, tzinfo=UTC))),
        (R.DELIVERY_YEAR_CLOSED,),
    ),
    (
        "already-registered",
        lambda: Case(context=make_context(registered=frozenset({"s1"}))),
        (R.ALREADY_REGISTERED,),
    ),
    (
        "many-failures-in-rule-order",
        lambda: Case(
            session=make_session(hours=0, mid_energy_kwh="0"),
            context=make_context(
                mandates=(), now=datetime(2028, 1, 1, tzinfo=UTC), registered=frozenset({"s1"})
            ),
            overlaps=True,
        ),
        (
            R.NO_MANDATE,
            R.ENERGY_NOT_POSITIVE,
            R.END_NOT_AFTER_START,
            R.OVERLAPS_OTHER_SESSION,
            R.DELIVERY_YEAR_CLOSED,
            R.ALREADY_REGISTERED,
        ),
    ),
]


@pytest.mark.parametrize(
    ("build", "expected"), [pytest.param(b, e, id=name) for name, b, e in CASES]
)
def test_rules(build: Callable[[], Case], expected: tuple[ReasonCode, ...]) -> None:
    case = build()
    result = evaluate_session(case.session, case.context, overlaps=case.overlaps)
    assert result.failures == expected
    assert result.eligible is (not expected)
    assert result.first_failure == (expected[0] if expected else None)
    assert [message for _, message in result.reasons()] == [REASON_MESSAGES[c] for c in expected]


def test_every_reason_code_has_a_case_and_a_message() -> None:
    covered = {code for _, _, expected in CASES for code in expected}
    assert covered == set(ReasonCode)
    assert set(REASON_MESSAGES) == set(ReasonCode)


@pytest.mark.parametrize(
    ("session", "kind", "net", "source"),
    [
        pytest.param(
            make_session(energy_kwh="12", mid_energy_kwh="10"),
            MeteringKind.INTEGRATED_MID,
            "10",
            QuantitySource.MID_ENERGY,
            id="mid-energy-not-charger-estimate",
        ),
        pytest.param(
            make_session(mid_energy_kwh=None, meter_start_wh=1000, meter_stop_wh=9500),
            MeteringKind.INTEGRATED_MID,
            "8.5",
            QuantitySource.MID_REGISTER_DELTA,
            id="mid-register-delta",
        ),
        pytest.param(
            make_session(mid_energy_kwh="10", discharged_kwh="2.5"),
            MeteringKind.INTEGRATED_MID,
            "7.5",
            QuantitySource.MID_ENERGY,
            id="v2g-deducted",
        ),
        pytest.param(
            make_session(energy_kwh="9", mid_energy_kwh=None),
            MeteringKind.SAP,
            "9",
            QuantitySource.CHARGER_CROSS_CHECK,
            id="sap-cross-check-figure",
        ),
        pytest.param(
            make_session(energy_kwh="9", mid_energy_kwh=None),
            MeteringKind.DEDICATED_CONNECTION,
            "9",
            QuantitySource.CHARGER_CROSS_CHECK,
            id="dedicated-connection",
        ),
    ],
)
def test_quantity_comes_from_the_qualifying_meter(
    session: ChargingSession, kind: MeteringKind, net: str, source: QuantitySource
) -> None:
    business = CustomerKind.BUSINESS  # a separate MID meter counts for a business only
    link = make_link(constructs=(make_construct(kind),), customer_kind=business)
    result = evaluate_session(session, make_context(links=(link,)))
    assert result.eligible, result.failures
    assert result.net_energy_kwh == Decimal(net)
    assert result.quantity_source is source
    assert result.booking_ean == (SAP_EAN if kind is MeteringKind.SAP else EAN)


@pytest.mark.parametrize(
    ("ended_local", "year", "month"),
    [
        pytest.param(datetime(2026, 12, 31, 23, 30), 2026, 12, id="new-years-eve-local"),
        pytest.param(datetime(2027, 1, 1, 0, 30), 2027, 1, id="after-midnight-local"),
    ],
)
def test_delivery_year_is_local_year_of_the_end(
    ended_local: datetime, year: int, month: int
) -> None:
    policy = BookingPolicy()
    end = ended_local.replace(tzinfo=policy.zone).astimezone(UTC)
    assert policy.local_year_month(end) == (year, month)


@pytest.mark.parametrize(
    ("now", "overrides", "is_open"),
    [
        pytest.param(datetime(2027, 2, 28, 22, 59, tzinfo=UTC), {}, True, id="before-1-march"),
        pytest.param(datetime(2027, 2, 28, 23, 0, tzinfo=UTC), {}, False, id="1-march-local"),
        pytest.param(
            datetime(2027, 2, 26, 12, tzinfo=UTC),
            {2026: date(2027, 2, 26)},
            False,
            id="nea-operational-deadline",
        ),
    ],
)
def test_booking_window(now: datetime, overrides: dict[int, date], is_open: bool) -> None:
    assert BookingPolicy(deadline_overrides=overrides).is_open(2026, now) is is_open


def _at(hour: float) -> datetime:
    return datetime(2026, 3, 10, tzinfo=UTC) + timedelta(hours=hour)


def test_stream_flags_both_sessions_of_an_overlap_and_keeps_charger_order() -> None:
    sessions = [
        make_session("a1", start=_at(0), hours=1),
        make_session("b1", charger="c2", start=_at(0), hours=1),
        make_session("a2", start=_at(0.5), hours=1),  # overlaps a1
        make_session("a3", start=_at(3), hours=1),
        make_session("b2", charger="c2", start=_at(1), hours=1),  # touches b1: half-open, fine
    ]
    context = make_context(links=(make_link("c1"), make_link("c2")))
    results = {r.session_id: r for r in evaluate_sessions(sessions, context)}
    assert set(results) == {"a1", "a2", "a3", "b1", "b2"}
    flagged = {sid for sid, r in results.items() if R.OVERLAPS_OTHER_SESSION in r.failures}
    assert flagged == {"a1", "a2"}
    order = [r.session_id for r in evaluate_sessions(sessions, context) if r.session_id[0] == "a"]
    assert order == ["a1", "a2", "a3"]


def test_stream_flags_sessions_inside_a_long_one() -> None:
    sessions = [
        make_session("long", start=_at(0), hours=5, mid_energy_kwh="10"),
        make_session("in1", start=_at(1), hours=1),
        make_session("in2", start=_at(3), hours=1),
        make_session("after", start=_at(6), hours=1),
    ]
    results = {r.session_id: r for r in evaluate_sessions(sessions, make_context())}
    flagged = {sid for sid, r in results.items() if R.OVERLAPS_OTHER_SESSION in r.failures}
    assert flagged == {"long", "in1", "in2"}


def test_stream_rejects_out_of_order_sessions() -> None:
    sessions = [make_session("a2", start=_at(2)), make_session("a1", start=_at(0))]
    with pytest.raises(SessionOrderError, match="a1"):
        list(evaluate_sessions(sessions, make_context()))


@pytest.mark.parametrize("kind", [MeteringKind.SAP, MeteringKind.DEDICATED_CONNECTION])
def test_a_private_customers_external_meter_is_held_back(kind: MeteringKind) -> None:
    # ere-rules §3.4: for a private customer only a MID meter built into the charger counts.
    session = make_session(energy_kwh="9", mid_energy_kwh=None)
    private = make_context(links=(make_link(constructs=(make_construct(kind),)),))
    result = evaluate_session(session, private)
    assert result.failures == (ReasonCode.EXTERNAL_METER_PRIVATE_CUSTOMER,)
    assert "built into the charger" in REASON_MESSAGES[ReasonCode.EXTERNAL_METER_PRIVATE_CUSTOMER]


def test_a_private_customers_built_in_mid_meter_counts() -> None:
    context = make_context(links=(make_link(constructs=(make_construct(),)),))
    assert evaluate_session(make_session(), context).eligible
