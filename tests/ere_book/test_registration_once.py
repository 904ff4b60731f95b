"""No session is ever registered twice: overlapping batches, corrections, discards and
concurrent creation; and a batch's totals always equal the sum of its sessions."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import DeliveryPeriod
from chargebook.domain.ere_book import BatchStatus
from chargebook.ere.service import (
    BatchStateError,
    NothingToRegisterError,
    create_batch,
    discard_batch,
    eligibility_report,
    finalize_batch,
    verify_batch,
)
from chargebook.errors import ChargebookError

from .conftest import FreshDatabases
from .helpers import NOW, PARAMETERS, BookBuilder, mid_charger

START = datetime(2026, 1, 1, 6, 0, tzinfo=UTC)
PERIODS = [DeliveryPeriod(2026), *(DeliveryPeriod(2026, q) for q in (1, 2, 3, 4))]

sessions_strategy = st.lists(
    st.tuples(st.integers(0, 1), st.integers(0, 364), st.integers(1, 30)),
    min_size=1,
    max_size=40,
)
operation = st.one_of(
    st.tuples(st.just("create"), st.sampled_from(PERIODS)),
    st.tuples(st.just("finalize"), st.integers(0, 5)),
    st.tuples(st.just("discard"), st.integers(0, 5)),
    st.tuples(st.just("correct"), st.integers(0, 5)),
    st.tuples(st.just("late"), st.integers(0, 364)),
)


def _setup(
    database: Database, sessions: list[tuple[int, int, int]]
) -> tuple[BookBuilder, list[int]]:
    book = BookBuilder(database, FixedClock(NOW))
    book.sync([mid_charger("701"), mid_charger("702")], [])
    chargers = [book.charger_id("701"), book.charger_id("702")]
    book.customer("p@example.com", "20000000000001", ["701"])
    book.customer("q@example.com", "20000000000002", ["702"])
    for n, (charger, day, kwh) in enumerate(sessions):
        start = START + timedelta(days=day, minutes=n)  # same-day sessions may overlap
        book.insert_sessions(chargers[charger], [(f"s{n}", start, 45, str(kwh))])
    return book, chargers


def _check_invariants(database: Database, clock: FixedClock) -> None:
    with database.session() as session:
        duplicates = session.execute(
            text(
                "SELECT session_id FROM ere_batch_sessions GROUP BY session_id HAVING COUNT(*) > 1"
            )
        ).all()
        assert duplicates == []
        store = EreStore(session, clock)
        for batch in store.batches.list():
            verify_batch(store, batch.id)  # lines = their sessions, totals = their lines
            lines = store.batches.lines(batch.id)
            assert batch.total_energy_kwh == sum((line.energy_kwh for line in lines), Decimal(0))


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sessions=sessions_strategy, operations=st.lists(operation, min_size=1, max_size=8))
def test_no_session_is_registered_twice_whatever_the_operations(
    fresh_databases: FreshDatabases,
    sessions: list[tuple[int, int, int]],
    operations: list[tuple[str, object]],
) -> None:
    database = fresh_databases()
    book, chargers = _setup(database, sessions)
    clock = book.clock
    created: list[int] = []
    late = 0
    for name, argument in operations:
        try:
            with database.transaction() as session:
                store = EreStore(session, clock)
                if name == "create":
                    assert isinstance(argument, DeliveryPeriod)
                    done = create_batch(store, argument, parameters=PARAMETERS, now=clock.now())
                    created.append(done.batch.id)
                elif name == "late":
                    assert isinstance(argument, int)
                    late += 1
                    book.insert_sessions(
                        chargers[0],
                        [(f"late{late}", START + timedelta(days=argument, hours=12), 30, "7")],
                    )
                elif created:
                    assert isinstance(argument, int)
                    batch_id = created[argument % len(created)]
                    if name == "finalize":
                        finalize_batch(store, batch_id)
                    elif name == "discard":
                        discard_batch(store, batch_id)
                    else:
                        period = store.batches.get(batch_id).period
                        done = create_batch(
                            store,
                            period,
                            parameters=PARAMETERS,
                            now=clock.now(),
                            corrects_batch_id=batch_id,
                        )
                        created.append(done.batch.id)
        except ChargebookError:
            pass  # refused operations (nothing left, wrong state) are part of the property
        _check_invariants(database, clock)

    # Whatever happened, every eligible session is either registered once or still free.
    with database.session() as session:
        store = EreStore(session, clock)
        report = eligibility_report(
            store, DeliveryPeriod(2026), parameters=PARAMETERS, now=clock.now()
        )
        registered = session.execute(text("SELECT COUNT(*) FROM ere_batch_sessions")).scalar_one()
    assert report.failures.get(report_code_already_registered(), 0) == registered


def report_code_already_registered() -> object:
    from chargebook.ere import ReasonCode

    return ReasonCode.ALREADY_REGISTERED


def test_the_database_refuses_a_second_registration(book: BookBuilder) -> None:
    book.sync([mid_charger("711")], [])
    charger = book.charger_id("711")
    book.customer("r@example.com", "20000000000011", ["711"])
    book.insert_sessions(charger, [("x1", START + timedelta(days=3), 60, "9")])
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        first = create_batch(store, DeliveryPeriod(2026, 1), parameters=PARAMETERS, now=NOW)
    with book.database.transaction() as session:
        session_id, line_id, sha = session.execute(
            text("SELECT session_id, line_id, raw_sha256 FROM ere_batch_sessions")
        ).one()
        other = EreStore(session, book.clock).batches.create(
            period=DeliveryPeriod(2026), period_kind=first.batch.period_kind, parameter_version="x"
        )
        # Bypass every service check: the primary key still refuses the session.
        with pytest.raises(Exception, match=r"(?i)unique|duplicate|constraint"):
            EreStore(session, book.clock).insert_batch_sessions(
                [(session_id, other, line_id, Decimal(9), sha)]
            )


def test_corrections_take_only_late_sessions_and_reference_the_original(book: BookBuilder) -> None:
    book.sync([mid_charger("721")], [])
    charger = book.charger_id("721")
    book.customer("s@example.com", "20000000000021", ["721"])
    book.insert_sessions(
        charger, [(f"q{n}", START + timedelta(days=n), 60, "10") for n in range(10)]
    )
    q1 = DeliveryPeriod(2026, 1)
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        original = create_batch(store, q1, parameters=PARAMETERS, now=NOW).batch
        finalize_batch(store, original.id)
    book.insert_sessions(charger, [("late-1", START + timedelta(days=40), 60, "12")])
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        with pytest.raises(BatchStateError, match="--corrects"):
            create_batch(store, q1, parameters=PARAMETERS, now=NOW)
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        correction = create_batch(
            store, q1, parameters=PARAMETERS, now=NOW, corrects_batch_id=original.id
        )
        assert correction.batch.corrects_batch_id == original.id
        assert correction.batch.session_count == 1
        assert correction.batch.total_energy_kwh == Decimal(12)
        finalize_batch(store, correction.batch.id)
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        with pytest.raises(NothingToRegisterError):
            create_batch(store, q1, parameters=PARAMETERS, now=NOW, corrects_batch_id=original.id)


def test_concurrent_creation_registers_each_session_once(book: BookBuilder) -> None:
    book.sync([mid_charger("731")], [])
    charger = book.charger_id("731")
    book.customer("t@example.com", "20000000000031", ["731"])
    book.insert_sessions(
        charger, [(f"c{n}", START + timedelta(hours=7 * n), 60, "5") for n in range(400)]
    )
    outcomes: list[object] = []
    barrier = threading.Barrier(3)

    def run(period: DeliveryPeriod) -> None:
        barrier.wait()
        try:
            with book.database.transaction() as session:
                done = create_batch(
                    EreStore(session, book.clock), period, parameters=PARAMETERS, now=NOW
                )
                outcomes.append(done.batch.session_count)
        except ChargebookError as exc:
            outcomes.append(exc)

    threads = [
        threading.Thread(target=run, args=(period,))
        for period in (DeliveryPeriod(2026), DeliveryPeriod(2026, 1), DeliveryPeriod(2026))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    counts = [o for o in outcomes if isinstance(o, int)]
    assert len(outcomes) == 3
    assert sum(counts) == 400  # all registered, none twice
    assert all(isinstance(o, NothingToRegisterError) for o in outcomes if not isinstance(o, int))
    _check_invariants(book.database, book.clock)
    with book.database.session() as session:
        statuses = {b.status for b in EreStore(session, book.clock).batches.list()}
    assert statuses == {BatchStatus.DRAFT}
