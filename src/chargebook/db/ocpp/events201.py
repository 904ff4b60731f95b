"""OCPP 2.0.1 TransactionEvents into the same transactions, frames, samples and sessions as
OCPP 1.6 (`SqlOcppBook`), so a 2.0.1 session is judged by the same plausibility rules and
carries the same evidence (every frame of the transaction, deduplicated on content).

A transaction is found by the station's own id (`ocpp_transaction_id`) and created by the
first event that names it, whatever its type: a Started event can be lost or arrive after an
Updated one when the station was offline. Its `meterStart` is the `Transaction.Begin`
register, else the first register above 0 (a spurious 0 decides nothing, as in 1.6); its
`meterStop` is the Ended event's last register, else the last register seen (2.0.1 does not
require the Ended event to carry one). A transaction that never reported a register is
quarantined: the book cannot know its energy.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from chargebook.clock import Clock
from chargebook.db.ocpp.tables import OcppTransactionRow
from chargebook.domain.ocpp import EnergyRegisterMode, MeterReading
from chargebook.domain.ocpp201 import (
    ENDED,
    NO_REGISTER,
    TransactionEventFacts,
    TransactionEventOutcome,
)
from chargebook.domain.ocpp_sessions import SUPERSEDED


class _Store(Protocol):
    """What this module uses of `SqlOcppBook` (named here: the store imports this module)."""

    _session: Session
    _clock: Clock

    def flush_pending(self) -> None: ...

    def _charger_id(self, charge_point_id: str) -> int: ...

    def _add_frame(self, transaction_id: int, action: str, frame: str) -> None: ...

    def _add_samples(
        self,
        charge_point_id: str,
        transaction: OcppTransactionRow,
        readings: Sequence[MeterReading],
    ) -> int: ...

    def _close(
        self,
        row: OcppTransactionRow,
        charge_point_id: str,
        meter_stop_wh: int | None,
        stopped_at: datetime,
        reason: str | None,
        missing_stop: str = ...,
    ) -> str | None: ...


_SPURIOUS_WH = 1.0  # a register at or below this is no evidence of where the meter stands


class TransactionEvents201:
    """`SqlOcppBook.transaction_event` (a mixin: the store's one class stays small)."""

    def transaction_event(
        self,
        charge_point_id: str,
        *,
        event: TransactionEventFacts,
        readings: Sequence[MeterReading],
        frame: str,
    ) -> TransactionEventOutcome:
        """Store one TransactionEvent (idempotent); closes the transaction on `Ended`.

        Raises:
            NotFoundError: no such charge point.
        """
        book = cast(_Store, self)  # mixed into SqlOcppBook only
        return record_transaction_event(book, charge_point_id, event, readings, frame)


def record_transaction_event(
    book: _Store,
    charge_point_id: str,
    event: TransactionEventFacts,
    readings: Sequence[MeterReading],
    frame: str,
) -> TransactionEventOutcome:
    """Store one TransactionEvent (see `TransactionEvents201.transaction_event`)."""
    book.flush_pending()
    charger_id = book._charger_id(charge_point_id)
    session = book._session
    row = session.scalar(
        select(OcppTransactionRow).where(
            OcppTransactionRow.charger_id == charger_id,
            OcppTransactionRow.ocpp_transaction_id == event.transaction_id,
        )
    )
    created = row is None
    if row is None:
        start = _start_register(readings)
        row = OcppTransactionRow(
            charger_id=charger_id,
            ocpp_transaction_id=event.transaction_id,
            connector_id=event.connector_id or event.evse_id or 1,
            id_tag=event.id_token or "",
            meter_start_wh=round(start) if start is not None else 0,
            meter_start_pending=start is None,
            started_at=event.timestamp,
            energy_mode=EnergyRegisterMode.UNKNOWN.value,
            is_open=True,
            created_at=book._clock.now(),
        )
        session.add(row)
        session.flush()
    else:
        _learn(row, event, readings)
    book._add_frame(row.id, "TransactionEvent", frame)
    book._add_samples(charge_point_id, row, readings)
    last = _last_register(readings)
    if last is not None:
        row.last_register_wh = max(row.last_register_wh or 0, round(last))
    if event.event_type != ENDED:
        return TransactionEventOutcome(row.id, created=created, ended=False, is_open=row.is_open)
    if not row.is_open and row.stop_reason != SUPERSEDED:
        return TransactionEventOutcome(
            row.id,
            created=False,
            ended=True,
            is_open=False,
            duplicate_end=True,
            session_id=row.session_id,
        )
    stop = last if last is not None else row.last_register_wh
    problem = book._close(
        row,
        charge_point_id,
        None if stop is None or row.meter_start_pending else round(stop),
        event.timestamp,
        event.stopped_reason or event.trigger_reason,
        missing_stop=NO_REGISTER,
    )
    return TransactionEventOutcome(
        row.id,
        created=created,
        ended=True,
        is_open=False,
        session_id=row.session_id,
        quarantine_reason=problem,
    )


def _learn(
    row: OcppTransactionRow, event: TransactionEventFacts, readings: Sequence[MeterReading]
) -> None:
    """What a later event tells about the transaction's start."""
    if row.is_open and event.timestamp < row.started_at:
        row.started_at = event.timestamp  # an earlier event, sent late (offline)
    if not row.id_tag and event.id_token:
        row.id_tag = event.id_token  # authorized after the cable was plugged in
    if row.meter_start_pending:
        start = _start_register(readings)
        if start is not None:
            row.meter_start_wh = round(start)
            row.meter_start_pending = False


def _start_register(readings: Sequence[MeterReading]) -> float | None:
    for reading in sorted(readings, key=lambda r: r.observed_at):
        if reading.begin_register_wh is not None:
            return reading.begin_register_wh
    for reading in sorted(readings, key=lambda r: r.observed_at):
        register = reading.energy_register_wh
        if register is not None and register > _SPURIOUS_WH:
            return register
    return None


def _last_register(readings: Sequence[MeterReading]) -> float | None:
    registers = [
        (r.observed_at, r.energy_register_wh)
        for r in readings
        if r.energy_register_wh is not None and r.energy_register_wh > _SPURIOUS_WH
    ]
    return max(registers)[1] if registers else None
