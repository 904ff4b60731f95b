"""The credits breakdown per quarter (sessions and kWh per outcome and per reason, with the
fix) and the estimate before signing, through the service on both rules paths."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.db.ere.store import EreStore
from chargebook.ere import load_parameters
from chargebook.ere.service.breakdown import Outcome
from chargebook.ere.service.credits import owner_credits, page_quarters
from chargebook.ere.service.estimate import has_mandate, mandate_estimate
from chargebook.ere.service.rules_path import RulesPath

from .credit_world import EXPECTED, NINA_MID_KWH, NOW, Q2, Q3, Q4, build_credit_world


def _figures(quarter_breakdown: object) -> dict[str, tuple[int, Decimal]]:
    from chargebook.ere.service.breakdown import QuarterBreakdown

    assert isinstance(quarter_breakdown, QuarterBreakdown)
    found = {o.outcome.value: (o.sessions, o.energy_kwh) for o in quarter_breakdown.outcomes}
    found.update({r.code: (r.sessions, r.energy_kwh) for r in quarter_breakdown.reasons})
    return found


@pytest.mark.parametrize("path", [RulesPath.SQL, RulesPath.PYTHON])
def test_breakdown_per_quarter_counts_kwh_and_fixes(database: Database, path: RulesPath) -> None:
    clock = FixedClock(NOW)
    world = build_credit_world(database, clock)
    with database.session() as session:
        store = EreStore(session, clock)
        statements = store.statements.list(customer_id=world.rosa)
        quarters = page_quarters(
            store, world.rosa, [Q4, Q3, Q2], statements, parameters=load_parameters(),
            now=NOW, path=path,
        )  # fmt: skip
    by_period = {q.period: q for q in quarters}
    for period, expected in EXPECTED.items():
        assert _figures(by_period[period].breakdown) == expected, period
    q4 = by_period[Q4].breakdown
    texts = {r.code: (r.text, r.fix, r.action) for r in q4.reasons}
    assert texts["no_mandate"] == (
        "2 sessions without a mandate for 2026",
        "no mandate for 2026 — sign one",
        "sign_mandate",
    )
    assert texts["metering_not_qualifying"][1] == "charger has no MID meter — upgrade or SAP"
    assert texts["metering_not_qualifying"][2] == "metering"
    assert texts["charger_not_linked"][0] == "2 sessions on a charger not connected to ERE"
    q2 = by_period[Q2].breakdown.reasons[0]
    assert q2.text == "3 sessions before the MID meter was installed or recorded"
    # The breakdown's eligible sessions are the quarter's eligible sessions.
    assert by_period[Q3].breakdown.of(Outcome.ELIGIBLE).sessions == by_period[Q3].eligible_sessions


def test_estimate_before_signing_is_mid_kwh_times_the_years_factor(database: Database) -> None:
    clock = FixedClock(NOW)
    world = build_credit_world(database, clock)
    with database.session() as session:
        store = EreStore(session, clock)
        estimate = mandate_estimate(store, world.nina, parameters=load_parameters(), now=NOW)
        assert not has_mandate(store, world.nina, 2026)
        assert has_mandate(store, world.rosa, 2026)
        credits = owner_credits(store, world.nina, parameters=load_parameters(), now=NOW)
    assert estimate is not None
    # Only 2026's sessions with MID energy: 34.845 kWh x 0.332694 = 11.5927... -> 11.6 ERE.
    assert estimate.sessions == 4
    assert estimate.energy_kwh == NINA_MID_KWH == Decimal("34.845")
    assert estimate.amount.ere_per_kwh == Decimal("0.332694")
    assert estimate.ere == Decimal("11.6")
    # The current price: the latest period that has started with a price (2026-Q3, 0.47).
    assert estimate.price_eur_per_ere == Decimal("0.47")
    assert estimate.payout is not None
    assert (estimate.payout.gross_eur, estimate.payout.fee_eur, estimate.payout.payout_eur) == (
        Decimal("5.45"), Decimal("1.09"), Decimal("4.36"),
    )  # fmt: skip
    assert credits.mandate_estimate == estimate


def test_estimate_rounds_once_half_up(database: Database) -> None:
    """2,500 kWh -> 831.735 -> 831.7 ERE (the reference's worked example), on one charger."""
    clock = FixedClock(NOW)
    world = build_credit_world(database, clock)
    with database.transaction() as session:
        from chargebook.db.book.tables import ChargingSessionRow

        row = session.get(ChargingSessionRow, world.sessions["nina"][0])
        assert row is not None
        row.mid_energy_kwh = Decimal("2500") - Decimal("12.5") - Decimal("7.345") - Decimal(5)
    with database.session() as session:
        estimate = mandate_estimate(
            EreStore(session, clock), world.nina, parameters=load_parameters(), now=NOW
        )
    assert estimate is not None
    assert estimate.energy_kwh == Decimal(2500)
    assert estimate.ere == Decimal("831.7")


def test_eres_per_session_cost_no_query_per_session(database: Database) -> None:
    """The statements `session_eres` runs do not grow with the number of sessions."""
    from datetime import timedelta

    from sqlalchemy import event

    from chargebook.db.book.tables import ChargingSessionRow
    from chargebook.db.core.canonical import canonical_json, sha256_hex
    from chargebook.ere.service.session_eres import session_eres

    clock = FixedClock(NOW)
    world = build_credit_world(database, clock)

    def run() -> tuple[int, dict[int, object]]:
        from chargebook.db import SessionRepository

        statements: list[str] = []

        def count(*args: object) -> None:
            statements.append(str(args[2]))

        with database.session() as session:
            listed = SessionRepository(session).list()
            event.listen(database.engine, "before_cursor_execute", count)
            try:
                eres = session_eres(
                    EreStore(session, clock), listed, parameters=load_parameters(), now=NOW
                )
            finally:
                event.remove(database.engine, "before_cursor_execute", count)
        return len(statements), dict(eres)

    few, eres = run()
    assert len(eres) == sum(len(ids) for ids in world.sessions.values())
    with database.transaction() as session:
        copper = session.get(ChargingSessionRow, world.sessions["eligible"][0])
        assert copper is not None
        for n in range(300):  # July and October: many more sessions in the same quarters
            start = datetime(2026, 7 + (n % 2) * 3, 1, tzinfo=UTC) + timedelta(hours=3 * n)
            raw = canonical_json({"id": f"bulk-{n}"})
            session.add(ChargingSessionRow(
                charger_id=copper.charger_id, source="wallbox_cloud", external_id=f"bulk-{n}",
                started_at=start, ended_at=start + timedelta(hours=1), energy_kwh=Decimal(5),
                mid_energy_kwh=Decimal(5), discharged_energy_kwh=Decimal(0), raw_payload=raw,
                raw_sha256=sha256_hex(raw), state="ok", first_seen_at=NOW, last_seen_at=NOW,
            ))  # fmt: skip
    many, eres = run()
    assert len(eres) == sum(len(ids) for ids in world.sessions.values()) + 300
    assert many == few


def test_reasons_say_what_else_holds_the_sessions_back() -> None:
    """A session's first failing rule names the reason; the later ones are listed under it
    ("then also"), so an owner sees that a mandate alone will not be enough."""
    from chargebook.db.ere.credits import SessionCount
    from chargebook.ere.service.breakdown import Judged, breakdown

    result = breakdown(
        2026,
        [
            Judged(("no_mandate", "metering_not_qualifying"), 24, 168_000_000),
            Judged(("no_mandate",), 27, 270_500_000),
            Judged((), 3, 30_000_000),
            Judged(("no_mandate", "already_registered"), 5, 50_000_000),  # counted as registered
        ],
        {False: SessionCount(5, Decimal(50))},
        SessionCount(1, Decimal("7.8")),
    )
    first, unlinked = result.reasons
    assert (first.code, first.sessions, first.energy_kwh) == ("no_mandate", 51, Decimal("438.5"))
    (then,) = first.also
    assert (then.code, then.sessions, then.energy_kwh) == (
        "metering_not_qualifying", 24, Decimal(168),
    )  # fmt: skip
    assert then.text == "24 sessions on a charger without a MID meter"
    assert then.fix == "charger has no MID meter — upgrade or SAP"
    assert (unlinked.code, unlinked.sessions, unlinked.also) == ("charger_not_linked", 1, ())
    assert result.of(Outcome.HELD_BACK).sessions == 52
    assert result.of(Outcome.ELIGIBLE).energy_kwh == Decimal(30)
    assert result.of(Outcome.REGISTERED).sessions == 5
