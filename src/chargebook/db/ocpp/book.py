"""The OCPP central system's store: durable transactions, raw frames, samples and sessions.

Sessions land in the same `charging_sessions` table as cloud sessions (source "ocpp",
external id "<charge point id>:<transactionId>") through the sync engine's own writer
(`SqlBook.apply_upsert`), and samples through `SampleRepository`. Every write is idempotent
on message content, so frames resent after a reconnect are applied once.

What a closed transaction's session is and which sample each reading makes are decided in
`chargebook.domain.ocpp_sessions`; this module stores them. `run_ocpp_batch`
(`chargebook.db.ocpp.batch`) runs many operations in one transaction; the writer's cache of open
transactions is `chargebook.db.ocpp.transactions.OpenTransactions`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chargebook.clock import Clock
from chargebook.db.book.samples import SampleRepository
from chargebook.db.ocpp.chargers import OcppChargerRepository
from chargebook.db.ocpp.events201 import TransactionEvents201
from chargebook.db.ocpp.evidence201 import event_evidence
from chargebook.db.ocpp.frames import frame_insert, frame_row, stored_frames
from chargebook.db.ocpp.lookups import charger_id_of, max_current_a, transaction_row
from chargebook.db.ocpp.modes import PendingModes
from chargebook.db.ocpp.sessions import store_closed_session
from chargebook.db.ocpp.tables import OcppTransactionRow
from chargebook.db.ocpp.transactions import OpenTransaction, OpenTransactions, to_domain
from chargebook.domain.book import (
    SessionSample,
)
from chargebook.domain.ocpp import (
    EnergyRegisterMode,
    MeterReading,
    OcppTransaction,
    StopOutcome,
    decide_register_mode,
)
from chargebook.domain.ocpp_sessions import (
    NEVER_STOPPED,
    SUPERSEDED,
    TransactionFacts,
    close_transaction,
    reading_sample,
    samples_through,
)
from chargebook.errors import NotFoundError


class SqlOcppBook(TransactionEvents201):
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
        self._pending_modes = PendingModes(session)

    def discard_pending(self) -> None:
        """Drop queued rows of an operation that failed."""
        self._pending_frames.clear()
        self._pending_samples.clear()
        self._pending_modes.discard()

    def flush_pending(self) -> None:
        """Write queued frames and samples (before anything reads them, and at batch end)."""
        if self._pending_frames:
            rows, self._pending_frames = self._pending_frames, []
            self._session.execute(frame_insert(self._session), rows)
        if self._pending_samples:
            samples, self._pending_samples = self._pending_samples, []
            SampleRepository(self._session).add_known(samples)
        self._pending_modes.flush()

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
        transaction = transaction_row(self._session, charger_id, transaction_id)
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
        transaction = transaction_row(self._session, charger_id, transaction_id)
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
        return [to_domain(row, charge_point_id) for row in rows]

    def get_transaction(self, charge_point_id: str, transaction_id: int) -> OcppTransaction:
        """One transaction of the charger.

        Raises:
            NotFoundError: no such charge point or transaction.
        """
        row = transaction_row(self._session, self._charger_id(charge_point_id), transaction_id)
        if row is None:
            raise NotFoundError(f"{charge_point_id} has no transaction {transaction_id}")
        return to_domain(row, charge_point_id)

    def frames(self, transaction_id: int) -> list[Any]:
        """The transaction's raw frames (parsed JSON), in the order they arrived."""
        self.flush_pending()
        return stored_frames(self._session, transaction_id)

    # -- internals ------------------------------------------------------------------------

    def _close(
        self,
        row: OcppTransactionRow,
        charge_point_id: str,
        meter_stop_wh: int | None,
        stopped_at: datetime,
        reason: str | None,
        missing_stop: str = NEVER_STOPPED,
    ) -> str | None:
        facts = TransactionFacts(
            charge_point_id=charge_point_id,
            transaction_id=row.id,
            meter_start_wh=row.meter_start_wh,
            started_at=row.started_at,
            energy_mode=EnergyRegisterMode(row.energy_mode),
        )
        closed = close_transaction(
            facts,
            meter_stop_wh=meter_stop_wh,
            stopped_at=stopped_at,
            max_current_a=max_current_a(self._session, row.charger_id),
            now=self._clock.now(),
            missing_stop=missing_stop,
        )
        raw: dict[str, Any] = {
            "chargePointId": charge_point_id,
            "transactionId": row.id,
            "frames": self.frames(row.id),
        }
        if row.ocpp_transaction_id is not None:
            raw.update(event_evidence(row.ocpp_transaction_id, raw["frames"]))
        session_id = store_closed_session(self._session, self._clock, charge_point_id, raw, closed)
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
                end=samples_through(stopped_at),
                session_id=session_id,
            )
        return closed.problem

    def _add_samples(
        self,
        charge_point_id: str,
        transaction: OcppTransactionRow | OpenTransaction | None,
        readings: Sequence[MeterReading],
    ) -> int:
        samples = []
        for reading in readings:
            if transaction is None:
                samples.append(reading_sample(charge_point_id, reading, transaction_id=None))
                continue
            mode = None
            if reading.energy_register_wh is not None:
                mode = self._mode(transaction, reading.energy_register_wh, reading.observed_at)
            samples.append(
                reading_sample(
                    charge_point_id,
                    reading,
                    transaction_id=transaction.id,
                    meter_start_wh=transaction.meter_start_wh,
                    mode=mode,
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
            end=samples_through(transaction.stopped_at or transaction.started_at),
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
            if isinstance(transaction, OpenTransaction):  # a row is flushed by the ORM
                self._pending_modes.stage(transaction.id, mode.value)
        return mode

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
        self._pending_frames.append(frame_row(transaction_id, action, frame, self._clock.now()))

    def _charger_id(self, charge_point_id: str) -> int:
        cached = self._charger_ids.get(charge_point_id)
        if cached is None:
            cached = self._charger_ids[charge_point_id] = charger_id_of(
                self._session, charge_point_id
            )
        return cached
