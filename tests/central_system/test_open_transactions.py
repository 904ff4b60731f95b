"""The writer's cache of open transactions never holds what the book does not: changes of a
batch count only once it committed, and a batch that fails or runs operation by operation
clears it. MeterValues of a cached transaction behave exactly like uncached ones."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from chargebook.clock import FixedClock
from chargebook.db import Database, SampleRepository
from chargebook.db.ocpp.batch import run_ocpp_batch
from chargebook.db.ocpp.book import SqlOcppBook
from chargebook.db.ocpp.modes import PendingModes
from chargebook.db.ocpp.tables import OcppTransactionRow
from chargebook.db.ocpp.transactions import OpenTransactions
from chargebook.domain.ocpp import EnergyRegisterMode, MeterReading

from .helpers import CP_ID, register

Operation = Callable[[SqlOcppBook], Any]


class Boom(Exception):
    pass


def _fail(book: SqlOcppBook) -> None:
    raise Boom


def _start(clock: FixedClock, meter_start_wh: int = 1_000_000) -> Operation:
    started_at = clock.now()
    return lambda book: book.start_transaction(
        CP_ID,
        connector_id=1,
        id_tag="TAG",
        meter_start_wh=meter_start_wh,
        started_at=started_at,
        frame='[2,"1","StartTransaction",{}]',
    )


def _meter(clock: FixedClock, tx: int, minutes: int, register_wh: float) -> Operation:
    reading = MeterReading(
        observed_at=clock.now() + timedelta(minutes=minutes),
        energy_register_wh=register_wh,
        power_w=11_000.0,
        current_a=16.0,
        extra={},
    )
    frame = f'[2,"m{minutes}","MeterValues",{{"n":{minutes}}}]'
    return lambda book: book.add_meter_values(
        CP_ID, transaction_id=tx, readings=[reading], frame=frame
    )


def _stop(clock: FixedClock, tx: int, minutes: int, meter_stop_wh: int) -> Operation:
    stopped_at = clock.now() + timedelta(minutes=minutes)
    return lambda book: book.stop_transaction(
        CP_ID,
        transaction_id=tx,
        meter_stop_wh=meter_stop_wh,
        stopped_at=stopped_at,
        reason="EVDisconnected",
        readings=[],
        frame=f'[2,"s","StopTransaction",{{"m":{minutes}}}]',
    )


@pytest.fixture
def book(database: Database, clock: FixedClock) -> Callable[..., list[tuple[bool, Any]]]:
    register(database, clock, CP_ID)
    cache = OpenTransactions()
    charger_ids: dict[str, int] = {}

    def run(*operations: Operation) -> list[tuple[bool, Any]]:
        return run_ocpp_batch(database, clock, list(operations), charger_ids, cache)

    run.cache = cache  # type: ignore[attr-defined]
    return run


def test_a_transaction_is_cached_from_start_to_stop(
    book: Callable[..., list[tuple[bool, Any]]], database: Database, clock: FixedClock
) -> None:
    cache: OpenTransactions = book.cache  # type: ignore[attr-defined]
    ((_, tx),) = book(_start(clock))
    assert cache.get(tx) is not None
    # Session-relative energy in MeterValues (a Wallbox habit): classified once, persisted.
    book(_meter(clock, tx, 10, 1_800.0), _meter(clock, tx, 20, 3_600.0))
    assert cache.get(tx).energy_mode == EnergyRegisterMode.SESSION.value  # type: ignore[union-attr]
    with database.session() as session:
        mode = session.scalar(
            select(OcppTransactionRow.energy_mode).where(OcppTransactionRow.id == tx)
        )
    assert mode == EnergyRegisterMode.SESSION.value
    ((ok, outcome),) = book(_stop(clock, tx, 30, 1_005_400))
    assert ok
    assert cache.get(tx) is None
    assert len(cache) == 0
    # A late MeterValues after the stop joins the closed session, as without the cache.
    book(_meter(clock, tx, 25, 4_500.0))
    with database.session() as session:
        samples = SampleRepository(session).list_for_session(outcome.session_id)
    assert [round(s.energy_kwh, 1) for s in samples] == [1.8, 3.6, 4.5]


def test_a_failed_batch_leaves_no_trace_in_the_cache(
    book: Callable[..., list[tuple[bool, Any]]], database: Database, clock: FixedClock
) -> None:
    cache: OpenTransactions = book.cache  # type: ignore[attr-defined]

    def start_then_fail(inner: SqlOcppBook) -> None:
        _start(clock)(inner)
        raise Boom

    ((ok, error),) = book(start_then_fail)  # rolled back: the transaction never existed
    assert not ok
    assert isinstance(error, Boom)
    assert len(cache) == 0
    with database.session() as session:
        assert session.scalars(select(OcppTransactionRow)).all() == []


def test_a_batch_run_operation_by_operation_clears_the_cache(
    book: Callable[..., list[tuple[bool, Any]]], database: Database, clock: FixedClock
) -> None:
    cache: OpenTransactions = book.cache  # type: ignore[attr-defined]
    ((_, tx),) = book(_start(clock))
    outcomes = book(_meter(clock, tx, 10, 1_001_800.0), _fail, _stop(clock, tx, 30, 1_005_400))
    assert [ok for ok, _ in outcomes] == [True, False, True]
    assert len(cache) == 0
    # Rebuilt from the book: the closed transaction is not taken for an open one.
    book(_meter(clock, tx, 20, 1_003_600.0))
    assert len(cache) == 0
    with database.session() as session:
        row = session.get(OcppTransactionRow, tx)
        assert row is not None
        assert not row.is_open
        assert row.energy_mode == EnergyRegisterMode.LIFETIME.value
        samples = SampleRepository(session).list_for_session(row.session_id or -1)
    assert [round(s.energy_kwh, 1) for s in samples] == [1.8, 3.6]


def test_a_fleet_starting_at_once_sets_its_modes_in_one_statement(
    book: Callable[..., list[tuple[bool, Any]]], database: Database, clock: FixedClock
) -> None:
    ((_, tx),) = book(_start(clock))
    updates: list[bool] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("UPDATE ocpp_transactions"):
            updates.append(args[-1])  # executemany

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        # Several first readings of cached transactions in one batch, then a stop that reads
        # the row: it must see the mode the readings decided, not the stored UNKNOWN.
        outcomes = book(
            _meter(clock, tx, 10, 1_800.0),
            _meter(clock, tx, 20, 3_600.0),
            _stop(clock, tx, 30, 1_005_400),
        )
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    assert [ok for ok, _ in outcomes] == [True, True, True]
    assert len(updates) <= 2  # the staged mode (one statement) and the stop's own row update
    with database.session() as session:
        row = session.get(OcppTransactionRow, tx)
        assert row is not None
        assert row.energy_mode == EnergyRegisterMode.SESSION.value
        samples = SampleRepository(session).list_for_session(row.session_id or -1)
    assert [round(s.energy_kwh, 1) for s in samples] == [1.8, 3.6]


def test_a_staged_mode_is_written_before_any_query_reads_it(
    book: Callable[..., list[tuple[bool, Any]]], database: Database, clock: FixedClock
) -> None:
    ((_, tx),) = book(_start(clock))
    with database.session() as session:
        modes = PendingModes(session)
        modes.stage(tx, EnergyRegisterMode.SESSION.value)
        # A column query (no identity map in between) sees the staged mode: it went out first.
        seen = session.scalar(
            select(OcppTransactionRow.energy_mode).where(OcppTransactionRow.id == tx)
        )
        assert seen == EnergyRegisterMode.SESSION.value
        modes.stage(tx, EnergyRegisterMode.LIFETIME.value)
        modes.discard()  # the operation failed: nothing of it is written
        session.commit()
    with database.session() as session:
        row = session.get(OcppTransactionRow, tx)
        assert row is not None
        assert row.energy_mode == EnergyRegisterMode.SESSION.value
