"""Registration batches, their lines and their sessions.

A draft batch is built up and may be discarded; a finalized one is immutable. This repository
refuses changes to a finalized batch itself (`BatchFinalizedError`), and triggers in the
database refuse them from anyone else (migration 0003_ere).
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from chargebook.clock import Clock
from chargebook.db.book.tables import ChargingSessionRow
from chargebook.db.ere.sessions import exact_kwh_sum, micro_kwh_to_decimal
from chargebook.db.ere.tables import (
    EreBatchLineRow,
    EreBatchRow,
    EreBatchSessionRow,
    EreMandateRow,
)
from chargebook.domain.ere import DeliveryPeriod, MeteringKind, PeriodKind
from chargebook.domain.ere_book import (
    BatchStatus,
    RegisteredSession,
    StoredBatch,
    StoredBatchLine,
    parse_period,
)
from chargebook.errors import ConflictError, NotFoundError

_ZERO = Decimal(0)
STREAM_ROWS = 5_000


class BatchFinalizedError(ConflictError):
    """A finalized batch cannot change; corrections go into a new batch referencing it."""


class BatchRepository:
    """Reads and writes batches; adds and flushes, never commits."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def create(
        self,
        *,
        period: DeliveryPeriod,
        period_kind: PeriodKind,
        parameter_version: str,
        corrects_batch_id: int | None = None,
    ) -> int:
        """A new, empty draft batch; returns its id."""
        row = EreBatchRow(
            period_kind=period_kind.value,
            period=period.label,
            status=BatchStatus.DRAFT.value,
            parameter_version=parameter_version,
            corrects_batch_id=corrects_batch_id,
            total_energy_kwh=_ZERO,
            total_ere=_ZERO,
            session_count=0,
            created_at=self._clock.now(),
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def add_line(
        self,
        batch_id: int,
        *,
        customer_id: int,
        ean: str,
        period: DeliveryPeriod,
        delivery_start: datetime,
        delivery_end: datetime,
        metering_kind: MeteringKind,
        mandate_id: int,
    ) -> int:
        """An empty line of a draft batch (totals come with `update_line`); returns its id.

        Raises:
            BatchFinalizedError: the batch is finalized.
        """
        self._draft(batch_id)
        row = EreBatchLineRow(
            batch_id=batch_id,
            customer_user_id=customer_id,
            ean=ean,
            period=period.label,
            delivery_start=delivery_start,
            delivery_end=delivery_end,
            metering_kind=metering_kind.value,
            energy_kwh=_ZERO,
            sessions_energy_kwh=_ZERO,
            energy_kwh_by_month="{}",
            session_count=0,
            mandate_id=mandate_id,
            ere_exact="0",
            ere=_ZERO,
            is_estimate=False,
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def update_line(self, line_id: int, **values: Any) -> None:
        """Set a draft line's totals (`energy_kwh`, `ere`, ...; `energy_kwh_by_month` and
        `reconciliation` as dicts).

        Raises:
            NotFoundError: no such line.
            BatchFinalizedError: its batch is finalized.
        """
        row = self._session.get(EreBatchLineRow, line_id)
        if row is None:
            raise NotFoundError(f"no batch line with id {line_id}")
        self._draft(row.batch_id)
        for key in ("energy_kwh_by_month", "reconciliation"):
            if key in values and values[key] is not None:
                values[key] = json.dumps(values[key], sort_keys=True)
        for key, value in values.items():
            setattr(row, key, value)
        self._session.flush()

    def set_totals(
        self, batch_id: int, *, energy_kwh: Decimal, ere: Decimal, session_count: int
    ) -> None:
        """Raises: BatchFinalizedError: the batch is finalized."""
        row = self._draft(batch_id)
        row.total_energy_kwh = energy_kwh
        row.total_ere = ere
        row.session_count = session_count
        self._session.flush()

    def finalize(self, batch_id: int, manifest_sha256: str) -> StoredBatch:
        """Freeze a draft batch with its manifest hash.

        Raises:
            BatchFinalizedError: already finalized.
        """
        row = self._draft(batch_id)
        row.status = BatchStatus.FINALIZED.value
        row.finalized_at = self._clock.now()
        row.manifest_sha256 = manifest_sha256
        self._session.flush()
        return self.get(batch_id)

    def discard(self, batch_id: int) -> None:
        """Delete a draft batch, freeing its sessions for another batch.

        Raises:
            BatchFinalizedError: the batch is finalized.
        """
        self._draft(batch_id)
        self._session.execute(
            delete(EreBatchSessionRow).where(EreBatchSessionRow.batch_id == batch_id)
        )
        self._session.execute(delete(EreBatchLineRow).where(EreBatchLineRow.batch_id == batch_id))
        self._session.execute(delete(EreBatchRow).where(EreBatchRow.id == batch_id))
        self._session.flush()

    def get(self, batch_id: int) -> StoredBatch:
        """Raises: NotFoundError: no such batch."""
        row = self._session.get(EreBatchRow, batch_id, populate_existing=True)
        if row is None:
            raise NotFoundError(f"no ERE batch with id {batch_id}")
        return self._to_domain(row)

    def list(self, *, period: DeliveryPeriod | None = None) -> list[StoredBatch]:
        query = select(EreBatchRow).order_by(EreBatchRow.id)
        if period is not None:
            query = query.where(EreBatchRow.period == period.label)
        return [self._to_domain(row) for row in self._session.scalars(query)]

    def lines(
        self, batch_id: int, *, customer_user_id: int | None = None
    ) -> builtins.list[StoredBatchLine]:
        """A batch's lines (only `customer_user_id`'s, if given) by customer, EAN and period."""
        query = (
            select(EreBatchLineRow, EreMandateRow)
            .join(EreMandateRow, EreMandateRow.id == EreBatchLineRow.mandate_id)
            .where(EreBatchLineRow.batch_id == batch_id)
            .order_by(EreBatchLineRow.customer_user_id, EreBatchLineRow.ean, EreBatchLineRow.id)
        )
        if customer_user_id is not None:
            query = query.where(EreBatchLineRow.customer_user_id == customer_user_id)
        return [to_stored_line(line, mandate) for line, mandate in self._session.execute(query)]

    def session_totals(self, batch_id: int) -> dict[int, tuple[int, Decimal]]:
        """line id -> (sessions, sum of their kWh), summed by the database."""
        rows = self._session.execute(
            select(
                EreBatchSessionRow.line_id,
                func.count(),
                exact_kwh_sum(EreBatchSessionRow.energy_kwh),
            )
            .where(EreBatchSessionRow.batch_id == batch_id)
            .group_by(EreBatchSessionRow.line_id)
        )
        return {line_id: (count, micro_kwh_to_decimal(total)) for line_id, count, total in rows}

    def registered_sessions(
        self, batch_id: int, *, customer_id: int | None = None
    ) -> Iterator[RegisteredSession]:
        """A batch's sessions (optionally of one customer) by book id, streamed."""
        bs, cs = EreBatchSessionRow, ChargingSessionRow
        query = (
            select(
                bs.session_id,
                bs.line_id,
                cs.source,
                cs.external_id,
                cs.charger_id,
                cs.started_at,
                cs.ended_at,
                bs.energy_kwh,
                bs.raw_sha256,
            )
            .join(cs, cs.id == bs.session_id)
            .where(bs.batch_id == batch_id)
            .order_by(bs.session_id)
            .execution_options(yield_per=STREAM_ROWS)
        )
        if customer_id is not None:
            query = query.join(EreBatchLineRow, EreBatchLineRow.id == bs.line_id).where(
                EreBatchLineRow.customer_user_id == customer_id
            )
        for (
            sid,
            lid,
            source,
            external_id,
            charger_id,
            start,
            end,
            kwh,
            sha,
        ) in self._session.execute(query):
            # Registered sessions are complete (the ok-state CHECK).
            assert start is not None
            assert end is not None
            yield RegisteredSession(sid, lid, source, external_id, charger_id, start, end, kwh, sha)

    def batch_of_session(self, session_id: int) -> int | None:
        """The batch a session is registered in, if any."""
        found: int | None = self._session.scalar(
            select(EreBatchSessionRow.batch_id).where(EreBatchSessionRow.session_id == session_id)
        )
        return found

    def _draft(self, batch_id: int) -> EreBatchRow:
        row = self._session.get(EreBatchRow, batch_id)
        if row is None:
            raise NotFoundError(f"no ERE batch with id {batch_id}")
        if row.status == BatchStatus.FINALIZED.value:
            raise BatchFinalizedError(
                f"batch {batch_id} is finalized and cannot change; create a correcting batch "
                f"with --corrects {batch_id}"
            )
        return row

    def _to_domain(self, row: EreBatchRow) -> StoredBatch:
        line_count = self._session.scalar(
            select(func.count()).where(EreBatchLineRow.batch_id == row.id)
        )
        return StoredBatch(
            id=row.id,
            period_kind=PeriodKind(row.period_kind),
            period=parse_period(row.period),
            status=BatchStatus(row.status),
            parameter_version=row.parameter_version,
            corrects_batch_id=row.corrects_batch_id,
            total_energy_kwh=row.total_energy_kwh,
            total_ere=row.total_ere,
            session_count=row.session_count,
            line_count=line_count or 0,
            created_at=row.created_at,
            finalized_at=row.finalized_at,
            manifest_sha256=row.manifest_sha256,
        )


def to_stored_line(line: EreBatchLineRow, mandate: EreMandateRow) -> StoredBatchLine:
    """Map a line row (and its mandate) to the domain; for other modules of `chargebook.db`."""
    months: dict[str, str] = json.loads(line.energy_kwh_by_month)
    signed_on: date = mandate.signed_on
    return StoredBatchLine(
        id=line.id,
        batch_id=line.batch_id,
        customer_id=str(line.customer_user_id),
        ean=line.ean,
        period=parse_period(line.period),
        delivery_start=line.delivery_start,
        delivery_end=line.delivery_end,
        metering_kind=MeteringKind(line.metering_kind),
        energy_kwh=line.energy_kwh,
        sessions_energy_kwh=line.sessions_energy_kwh,
        energy_kwh_by_month=tuple((month, Decimal(kwh)) for month, kwh in sorted(months.items())),
        session_count=line.session_count,
        mandate_id=mandate.id,
        mandate_signed_on=signed_on,
        mandate_first_year=mandate.first_year,
        mandate_last_year=mandate.last_year,
        ere_exact=Decimal(line.ere_exact),
        ere=line.ere,
        is_estimate=line.is_estimate,
        reconciliation=json.loads(line.reconciliation) if line.reconciliation else None,
    )
