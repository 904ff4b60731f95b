"""The OCPP central system's store: durable transactions, raw frames, samples and sessions.

Sessions land in the same `charging_sessions` table as cloud sessions (source "ocpp",
external id "<charge point id>:<transactionId>") through the sync engine's own writer
(`SqlBook.apply_upsert`), and samples through `SampleRepository`. Every write is idempotent
on message content, so frames resent after a reconnect are applied once.

`run_ocpp_batch` runs many small operations in one transaction (group commit), each in its own
SAVEPOINT, so one failing operation does not undo the others.

The hot path (MeterValues of an open transaction) reads nothing from the database: the writer
keeps the open transactions' few immutable facts (`OpenTransactions`), updated only from
batches that committed. This assumes one central system writes a book's OCPP transactions.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from chargebook.clock import Clock
from chargebook.db.book_store import SqlBook
from chargebook.db.canonical import canonical_json, sha256_hex
from chargebook.db.database import Database
from chargebook.db.exceptions import DatabaseUnavailableError
from chargebook.db.ocpp_tables import OcppFrameRow, OcppTransactionRow
from chargebook.db.repositories import SampleRepository
from chargebook.db.repositories._common import dialect_insert
from chargebook.db.repositories.ocpp_chargers import OcppChargerRepository
from chargebook.db.tables import ChargerRow, ChargingSessionRow
from chargebook.domain.book import (
    SessionChange,
    SessionEntry,
    SessionSample,
    SessionState,
    UpsertPlan,
)
from chargebook.domain.models import ChargerSource, ChargerState, ChargingSession
from chargebook.domain.ocpp import (
    EnergyRegisterMode,
    MeterReading,
    OcppTransaction,
    StopOutcome,
    decide_register_mode,
    final_energy_wh,
    session_energy_wh,
)
from chargebook.domain.plausibility import FALLBACK_MAX_CURRENT_A, fits_book, validate_session
from chargebook.errors import NotFoundError

SUPERSEDED = "chargebook:superseded"  # stop reason of a transaction its charger forgot
_MAX_ROW_ID = 2**31 - 1  # INTEGER primary keys are 32-bit on PostgreSQL


@dataclass(slots=True)
class OpenTransaction:
    """What MeterValues need of an open transaction (energy_mode follows the register
    evidence, see `decide_register_mode`)."""

    id: int
    charger_id: int
    meter_start_wh: int
    started_at: datetime
    energy_mode: str

    @classmethod
    def of(cls, row: OcppTransactionRow) -> OpenTransaction:
        return cls(row.id, row.charger_id, row.meter_start_wh, row.started_at, row.energy_mode)


class OpenTransactions:
    """The writer's cache of open transactions by id, shared across batches.

    A batch stages its changes (`SqlOcppBook`) and they are applied only once it committed;
    a batch that fails or runs operation by operation (savepoints) clears the cache instead,
    so it never holds what the database does not.
    """

    def __init__(self) -> None:
        self._open: dict[int, OpenTransaction] = {}

    def get(self, transaction_id: int) -> OpenTransaction | None:
        return self._open.get(transaction_id)

    def apply(self, staged: Mapping[int, OpenTransaction | None]) -> None:
        """Take over a committed batch's changes (None: the transaction closed)."""
        for transaction_id, transaction in staged.items():
            if transaction is None:
                self._open.pop(transaction_id, None)
            else:
                self._open[transaction_id] = transaction

    def clear(self) -> None:
        self._open.clear()

    def __len__(self) -> int:
        return len(self._open)


class SqlOcppBook:
    """One transaction on the book for the central system; adds and flushes, never commits."""

    def __init__(
        self,
        session: Session,
        clock: Clock,
        charger_ids: dict[str, int] | None = None,
        open_transactions: OpenTransactions | None = None,
    ) -> None:
        self._session = session
        self._clock = clock
        self.chargers = OcppChargerRepository(session, clock)
        # Charge point id -> book id; ids never change, so a writer may share this across batches.
        self._charger_ids = charger_ids if charger_ids is not None else {}
        # Open transactions of earlier (committed) batches, and this batch's changes to them.
        self._open = open_transactions
        self.staged: dict[int, OpenTransaction | None] = {}
        # MeterValues rows wait here and go out as one INSERT per table (`flush_pending`):
        # per-frame statements would cost more than everything else of a batch together.
        self._pending_frames: list[dict[str, Any]] = []
        self._pending_samples: list[tuple[int, SessionSample]] = []

    def discard_pending(self) -> None:
        """Drop queued rows of an operation that failed."""
        self._pending_frames.clear()
        self._pending_samples.clear()

    def flush_pending(self) -> None:
        """Write queued frames and samples (before anything reads them, and at batch end)."""
        if self._pending_frames:
            rows, self._pending_frames = self._pending_frames, []
            # executemany of one compiled statement: a multi-row VALUES recompiles per size.
            self._session.execute(
                dialect_insert(self._session)(OcppFrameRow.__table__).on_conflict_do_nothing(
                    index_elements=["transaction_id", "frame_sha256"]
                ),
                rows,
            )
        if self._pending_samples:
            samples, self._pending_samples = self._pending_samples, []
            SampleRepository(self._session).add_known(samples)

    # -- transactions ---------------------------------------------------------------------

    def start_transaction(
        self,
        charge_point_id: str,
        *,
        connector_id: int,
        id_tag: str,
        meter_start_wh: int,
        started_at: datetime,
        frame: str,
    ) -> int:
        """Open a transaction and return its id (the same id for a resent StartTransaction).

        Older open transactions on the connector were forgotten by the charger (a reboot with
        the car plugged in); they are closed as quarantined sessions, to be repaired by a late
        StopTransaction if one still comes.

        Raises:
            NotFoundError: no such charge point.
        """
        self.flush_pending()
        charger_id = self._charger_id(charge_point_id)
        row = OcppTransactionRow
        existing = self._session.scalar(
            select(row.id).where(
                row.charger_id == charger_id,
                row.connector_id == connector_id,
                row.started_at == started_at,
                row.meter_start_wh == meter_start_wh,
            )
        )
        if existing is not None:
            return existing
        transaction = OcppTransactionRow(
            charger_id=charger_id,
            connector_id=connector_id,
            id_tag=id_tag,
            meter_start_wh=meter_start_wh,
            started_at=started_at,
            energy_mode=EnergyRegisterMode.UNKNOWN.value,
            is_open=True,
            created_at=self._clock.now(),
        )
        self._session.add(transaction)
        self._session.flush()
        self._stage(OpenTransaction.of(transaction))
        self._add_frame(transaction.id, "StartTransaction", frame)
        for stale in self._session.scalars(
            select(row).where(
                row.charger_id == charger_id,
                row.connector_id == connector_id,
                row.is_open.is_(True),
                row.started_at < started_at,
            )
        ):
            self._close(stale, charge_point_id, None, started_at, SUPERSEDED)
        return transaction.id

    def add_meter_values(
        self,
        charge_point_id: str,
        *,
        transaction_id: int | None,
        readings: Sequence[MeterReading],
        frame: str,
    ) -> int:
        """Store MeterValues as samples (one per instant: same-second readings are merged, see
        `SampleRepository.add_known`); returns how many readings were queued (written by
        `flush_pending`, at the latest at batch end).

        Readings of a known transaction of this charger get the session energy (see
        `chargebook.domain.ocpp` for lifetime vs session-relative registers) and the frame
        joins the transaction's evidence; others are stored with zero session energy.

        Raises:
            NotFoundError: no such charge point.
        """
        charger_id = self._charger_id(charge_point_id)
        cached = self._cached_open(charger_id, transaction_id)
        if cached is not None:  # the common case: no database read at all
            self._add_frame(cached.id, "MeterValues", frame)
            return self._add_samples(charge_point_id, cached, readings)
        transaction = self._transaction_row(charger_id, transaction_id)
        if transaction is not None:
            if transaction.is_open:
                self._stage(OpenTransaction.of(transaction))
            self._add_frame(transaction.id, "MeterValues", frame)
        return self._add_samples(charge_point_id, transaction, readings)

    def stop_transaction(
        self,
        charge_point_id: str,
        *,
        transaction_id: int,
        meter_stop_wh: int,
        stopped_at: datetime,
        reason: str | None,
        readings: Sequence[MeterReading],
        frame: str,
    ) -> StopOutcome:
        """Close the transaction and write its session to the book.

        A duplicate StopTransaction (the transaction is closed already) changes nothing; one
        for an unknown transaction is reported as unknown. A late stop of a superseded
        transaction replaces its quarantined session.

        Raises:
            NotFoundError: no such charge point.
        """
        self.flush_pending()
        charger_id = self._charger_id(charge_point_id)
        transaction = self._transaction_row(charger_id, transaction_id)
        if transaction is None:
            return StopOutcome(transaction_id, known=False, duplicate=False)
        if not transaction.is_open and transaction.stop_reason != SUPERSEDED:
            return StopOutcome(
                transaction_id, known=True, duplicate=True, session_id=transaction.session_id
            )
        self._add_frame(transaction.id, "StopTransaction", frame)
        self._add_samples(charge_point_id, transaction, readings)
        reason_text = self._close(transaction, charge_point_id, meter_stop_wh, stopped_at, reason)
        return StopOutcome(
            transaction_id,
            known=True,
            duplicate=False,
            session_id=transaction.session_id,
            quarantine_reason=reason_text,
        )

    def open_transactions(self, charge_point_id: str) -> list[OcppTransaction]:
        """The charger's open transactions, oldest first."""
        self.flush_pending()
        charger_id = self._charger_id(charge_point_id)
        rows = self._session.scalars(
            select(OcppTransactionRow)
            .where(OcppTransactionRow.charger_id == charger_id, OcppTransactionRow.is_open)
            .order_by(OcppTransactionRow.id)
        )
        return [_to_domain(row, charge_point_id) for row in rows]

    def get_transaction(self, charge_point_id: str, transaction_id: int) -> OcppTransaction:
        """One transaction of the charger.

        Raises:
            NotFoundError: no such charge point or transaction.
        """
        row = self._transaction_row(self._charger_id(charge_point_id), transaction_id)
        if row is None:
            raise NotFoundError(f"{charge_point_id} has no transaction {transaction_id}")
        return _to_domain(row, charge_point_id)

    def frames(self, transaction_id: int) -> list[Any]:
        """The transaction's raw frames (parsed JSON), in the order they arrived."""
        self.flush_pending()
        texts = self._session.scalars(
            select(OcppFrameRow.frame)
            .where(OcppFrameRow.transaction_id == transaction_id)
            .order_by(OcppFrameRow.id)
        )
        return [json.loads(text) for text in texts]

    # -- internals ------------------------------------------------------------------------

    def _close(
        self,
        row: OcppTransactionRow,
        charge_point_id: str,
        meter_stop_wh: int | None,
        stopped_at: datetime,
        reason: str | None,
    ) -> str | None:
        mode = EnergyRegisterMode(row.energy_mode)
        energy_wh: int | None = None
        if meter_stop_wh is None:
            problem: str | None = "the charger started a new transaction without stopping this one"
        else:
            energy_wh, problem = final_energy_wh(mode, row.meter_start_wh, meter_stop_wh)
        if stopped_at < row.started_at:
            energy_wh, problem = None, "StopTransaction is older than its StartTransaction"
        external_id = f"{charge_point_id}:{row.id}"
        raw: dict[str, Any] = {
            "chargePointId": charge_point_id,
            "transactionId": row.id,
            "frames": self.frames(row.id),
        }
        session = None
        if energy_wh is not None:
            session = ChargingSession(
                source=ChargerSource.OCPP,
                external_id=external_id,
                charger_external_id=charge_point_id,
                started_at=row.started_at,
                ended_at=stopped_at,
                energy_kwh=Decimal(energy_wh) / 1000,
                mid_energy_kwh=None,
                discharged_energy_kwh=Decimal(0),
                duration_s=int((stopped_at - row.started_at).total_seconds()),
                meter_start_wh=row.meter_start_wh,
                meter_stop_wh=meter_stop_wh,
            )
            # The same rules as cloud sessions (energy within the charger's power x duration,
            # plausible times); what the columns cannot hold stays in the raw frames only.
            problem = problem or validate_session(
                session, max_current_a=self._max_current_a(row.charger_id), now=self._clock.now()
            )
            if problem is not None and not fits_book(session):
                session = None
        entry = SessionEntry(
            source=ChargerSource.OCPP,
            external_id=external_id,
            charger_external_id=charge_point_id,
            raw=raw,
            raw_sha256=sha256_hex(canonical_json(raw)),
            session=session,
            state=SessionState.OK if problem is None else SessionState.QUARANTINED,
            reason=problem,
        )
        book = SqlBook(self._session, self._clock)
        stored = book.find_sessions(ChargerSource.OCPP, [external_id]).get(external_id)
        if stored is None:
            book.apply_upsert(UpsertPlan(inserts=(entry,)))
        else:  # a superseded transaction's late stop: replace, audited by the book
            book.apply_upsert(UpsertPlan(changes=(SessionChange(old=stored, new=entry),)))
        session_id = self._session.scalar(
            select(ChargingSessionRow.id).where(
                ChargingSessionRow.source == ChargerSource.OCPP.value,
                ChargingSessionRow.external_id == external_id,
            )
        )
        row.is_open = False
        self.staged[row.id] = None
        row.meter_stop_wh = meter_stop_wh
        row.stopped_at = stopped_at
        row.stop_reason = reason
        row.session_id = session_id
        self._session.flush()
        if session_id is not None:
            SampleRepository(self._session).link_to_session(
                row.charger_id,
                start=row.started_at,
                end=_through(stopped_at),
                session_id=session_id,
            )
        return problem

    def _add_samples(
        self,
        charge_point_id: str,
        transaction: OcppTransactionRow | OpenTransaction | None,
        readings: Sequence[MeterReading],
    ) -> int:
        samples = []
        for reading in readings:
            energy_wh = 0.0
            extra: dict[str, Any] = dict(reading.extra)
            if transaction is not None:
                extra["transaction_id"] = transaction.id
                if reading.energy_register_wh is not None:
                    mode = self._mode(transaction, reading.energy_register_wh, reading.observed_at)
                    energy_wh = session_energy_wh(
                        mode, transaction.meter_start_wh, reading.energy_register_wh
                    )
            if reading.energy_register_wh is not None:
                extra["energy_register_wh"] = reading.energy_register_wh
            if reading.current_a is not None:
                extra["current_a"] = reading.current_a
            if reading.power_w is not None:  # measured (a merge of same-second readings asks)
                extra["power_w"] = reading.power_w
            power_w = reading.power_w or 0.0
            if transaction is None:
                state = ChargerState.READY
            else:
                state = ChargerState.CHARGING if power_w > 0 else ChargerState.WAITING
            samples.append(
                SessionSample(
                    source=ChargerSource.OCPP,
                    charger_external_id=charge_point_id,
                    observed_at=reading.observed_at,
                    power_kw=power_w / 1000,
                    energy_kwh=energy_wh / 1000,
                    state=state,
                    status_code=0,
                    extra=extra,
                )
            )
        charger_id = self._charger_id(charge_point_id)
        self._pending_samples.extend((charger_id, sample) for sample in samples)
        if not isinstance(transaction, OcppTransactionRow) or transaction.session_id is None:
            return len(samples)
        # MeterValues that arrive after the stop (buffered, out of order) join the session.
        self.flush_pending()
        SampleRepository(self._session).link_to_session(
            transaction.charger_id,
            start=transaction.started_at,
            end=_through(transaction.stopped_at or transaction.started_at),
            session_id=transaction.session_id,
        )
        return len(samples)

    def _mode(
        self,
        transaction: OcppTransactionRow | OpenTransaction,
        register_wh: float,
        observed_at: datetime,
    ) -> EnergyRegisterMode:
        """The register mode after this reading; stored when the evidence changed it."""
        current = EnergyRegisterMode(transaction.energy_mode)
        mode = decide_register_mode(
            current, transaction.meter_start_wh, transaction.started_at, register_wh, observed_at
        )
        if mode is not current:
            transaction.energy_mode = mode.value  # a row, or this batch's staged copy
            if isinstance(transaction, OpenTransaction):
                # Rarely (at most twice per transaction); an ORM UPDATE also refreshes a row
                # this session holds.
                self._session.execute(
                    update(OcppTransactionRow)
                    .where(OcppTransactionRow.id == transaction.id)
                    .values(energy_mode=mode.value)
                )
        return mode

    def _max_current_a(self, charger_id: int) -> int:
        # OCPP does not tell the hardware's maximum, and a limit configured later must not
        # quarantine sessions that charged faster before: never below the AC fallback (48 A).
        row = self._session.get(ChargerRow, charger_id)
        known = row.max_current_a if row is not None else None
        return max(known or 0, FALLBACK_MAX_CURRENT_A)

    def _cached_open(self, charger_id: int, transaction_id: int | None) -> OpenTransaction | None:
        """This charger's open transaction from the cache, as this batch's own copy."""
        if transaction_id is None or self._open is None:
            return None
        if transaction_id in self.staged:
            staged = self.staged[transaction_id]
            return staged if staged is not None and staged.charger_id == charger_id else None
        known = self._open.get(transaction_id)
        if known is None or known.charger_id != charger_id:
            return None
        copy = replace(known)  # changed in this batch only, until it commits
        self.staged[transaction_id] = copy
        return copy

    def _stage(self, transaction: OpenTransaction) -> None:
        if self._open is not None:
            self.staged[transaction.id] = transaction

    def _add_frame(self, transaction_id: int, action: str, frame: str) -> None:
        payload = _payload_of(frame)
        digest = sha256_hex(action + canonical_json(payload))
        self._pending_frames.append(
            {
                "transaction_id": transaction_id,
                "action": action,
                "frame": frame,
                "frame_sha256": digest,
                "received_at": self._clock.now(),
            }
        )

    def _transaction_row(
        self, charger_id: int, transaction_id: int | None
    ) -> OcppTransactionRow | None:
        # Ids chargebook never hands out (an Alfen sends 2**63-1, lbbrhzn/ocpp #361) name no
        # transaction; PostgreSQL would refuse to even look one up in its 32-bit id column.
        if transaction_id is None or not 0 < transaction_id <= _MAX_ROW_ID:
            return None
        row = self._session.get(OcppTransactionRow, transaction_id)
        return row if row is not None and row.charger_id == charger_id else None

    def _charger_id(self, charge_point_id: str) -> int:
        cached = self._charger_ids.get(charge_point_id)
        if cached is not None:
            return cached
        found = self._session.scalar(
            select(ChargerRow.id).where(
                ChargerRow.source == ChargerSource.OCPP.value,
                ChargerRow.external_id == charge_point_id,
            )
        )
        if found is None:
            raise NotFoundError(f"no OCPP charge point {charge_point_id}")
        self._charger_ids[charge_point_id] = found
        return found


def _through(stopped_at: datetime) -> datetime:
    # The reading taken at the stop (StopTransaction's transactionData) belongs to the session.
    return stopped_at + timedelta(microseconds=1)


def _payload_of(frame: str) -> Mapping[str, Any]:
    # Dedupe on content: a resent CALL has a new unique id but the same action and payload.
    parsed = json.loads(frame)
    payload = parsed[3] if isinstance(parsed, list) and len(parsed) > 3 else {}
    return payload if isinstance(payload, dict) else {}


def _to_domain(row: OcppTransactionRow, charge_point_id: str) -> OcppTransaction:
    return OcppTransaction(
        transaction_id=row.id,
        charge_point_id=charge_point_id,
        connector_id=row.connector_id,
        id_tag=row.id_tag,
        meter_start_wh=row.meter_start_wh,
        started_at=row.started_at,
        energy_mode=EnergyRegisterMode(row.energy_mode),
        is_open=row.is_open,
        meter_stop_wh=row.meter_stop_wh,
        stopped_at=row.stopped_at,
        stop_reason=row.stop_reason,
        session_id=row.session_id,
    )


Outcome = tuple[bool, Any]  # (succeeded, result or the exception)


def run_ocpp_batch(
    database: Database,
    clock: Clock,
    operations: Sequence[Callable[[SqlOcppBook], Any]],
    charger_ids: dict[str, int] | None = None,
    open_transactions: OpenTransactions | None = None,
) -> list[Outcome]:
    """Run the operations in one transaction; one outcome per operation.

    The batch first runs without savepoints (the common case: nothing fails). If an operation
    raises, the batch is rolled back and run again with a SAVEPOINT per operation, so the
    failing one is rolled back alone and its exception returned as its outcome.

    `open_transactions` (the caller's cache, see `OpenTransactions`) gets the batch's changes
    once it committed, and is cleared when the batch did not run as one piece.

    Raises:
        DatabaseUnavailableError: the database cannot be reached or the commit failed; then
            no operation took effect.
    """
    try:
        with database.transaction() as session:
            book = SqlOcppBook(session, clock, charger_ids, open_transactions)
            results = [operation(book) for operation in operations]
            book.flush_pending()
        if open_transactions is not None:
            open_transactions.apply(book.staged)
        return [(True, result) for result in results]
    except DatabaseUnavailableError:
        if open_transactions is not None:
            open_transactions.clear()  # the commit's outcome is unknown
        raise
    except Exception as exc:
        if len(operations) == 1:
            return [(False, exc)]
    if open_transactions is not None:
        open_transactions.clear()  # rebuilt from the database by later batches
    outcomes: list[Outcome] = []
    with database.transaction() as session:
        book = SqlOcppBook(session, clock, charger_ids)
        for operation in operations:
            try:
                with session.begin_nested():
                    result = operation(book)
                    book.flush_pending()
                    outcomes.append((True, result))
            except OperationalError:
                raise  # the connection or lock is gone: the whole batch fails
            except Exception as exc:  # the operation's own failure, kept for its caller
                book.discard_pending()
                outcomes.append((False, exc))
    return outcomes
