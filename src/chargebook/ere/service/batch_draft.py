"""The draft batch both creation paths write (`batch_create`): the correction check, the batch
row and its empty lines, the meter figures of meter-read lines, then the lines' figures, the
totals and the audit entry.

Every session is registered at most once, ever: `ere_batch_sessions` is keyed by the session
(the database refuses a second registration), batch creation is serialised
(`EreStore.lock_registrations`), and candidates already registered fail the core's
`already_registered` rule. A finalized batch is immutable; later sessions of its period go into
a correcting batch that references it (`check_correction`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import DeliveryPeriod, MeteringKind
from chargebook.domain.ere_book import (
    BatchStatus,
    StoredBatch,
    StoredBatchLine,
    period_kind_of,
)
from chargebook.ere import (
    Batch,
    BatchBuilder,
    LineKey,
    MeterReading,
    ParameterSet,
    ReasonCode,
    meter_quantity,
    period_bounds,
)
from chargebook.ere.service.errors import BatchStateError

READINGS_KINDS = (MeteringKind.SAP, MeteringKind.DEDICATED_CONNECTION)
Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class BatchCreated:
    batch: StoredBatch
    lines: list[StoredBatchLine]
    evaluated: int
    skipped_by_reason: dict[ReasonCode, int]  # first failure of each skipped session


def new_batch(
    store: EreStore,
    period: DeliveryPeriod,
    parameters: ParameterSet,
    corrects_batch_id: int | None,
) -> tuple[int, BatchBuilder]:
    """A new draft batch row for `period` and the builder that computes its lines."""
    batch_id = store.batches.create(
        period=period,
        period_kind=period_kind_of(period),
        parameter_version=parameters.version,
        corrects_batch_id=corrects_batch_id,
    )
    builder = BatchBuilder(
        period_kind=period_kind_of(period), parameters=parameters, keep_session_ids=False
    )
    return batch_id, builder


def add_line(
    store: EreStore,
    batch_id: int,
    key: tuple[str, str],
    period: DeliveryPeriod,
    kind: MeteringKind,
    mandate_id: int,
) -> int:
    """Store an empty line of `batch_id` for (customer id, booking EAN) `key`; its id."""
    start, end = period_bounds(period)
    return store.batches.add_line(
        batch_id,
        customer_id=int(key[0]),
        ean=key[1],
        period=period,
        delivery_start=start,
        delivery_end=end,
        metering_kind=kind,
        mandate_id=mandate_id,
    )


def complete_batch(
    store: EreStore,
    batch: Batch,
    batch_id: int,
    line_ids: dict[tuple[str, str], int],
    corrects_batch_id: int | None,
    evaluated: int,
    skipped: Counter[ReasonCode],
) -> BatchCreated:
    """Store the lines' figures and the totals, audit, and return the created batch."""
    _store_lines(store, batch, line_ids)
    store.batches.set_totals(
        batch_id,
        energy_kwh=batch.total_energy_kwh,
        ere=batch.total_ere,
        session_count=batch.session_count,
    )
    store.audit.append(
        actor="ere",
        action="ere_batch.created",
        entity_type="ere_batch",
        entity_id=batch_id,
        payload={
            "period": store.batches.get(batch_id).period.label,
            "corrects": corrects_batch_id,
            "sessions": batch.session_count,
            "total_energy_kwh": str(batch.total_energy_kwh),
            "total_ere": str(batch.total_ere),
        },
    )
    return BatchCreated(
        batch=store.batches.get(batch_id),
        lines=store.batches.lines(batch_id),
        evaluated=evaluated,
        skipped_by_reason=dict(skipped),
    )


def check_correction(
    store: EreStore, period: DeliveryPeriod, corrects_batch_id: int | None
) -> None:
    """Refuse a batch for a period that has a finalized one unless it corrects that one.

    Raises:
        BatchStateError: the period has a finalized batch and no `corrects_batch_id` was given,
            or the batch to correct is not a finalized batch of the same period.
    """
    existing = store.batches.list(period=period)
    if corrects_batch_id is None:
        finalized = [b for b in existing if b.status is BatchStatus.FINALIZED]
        if finalized:
            raise BatchStateError(
                f"{period.label} already has finalized batch {finalized[0].id}: later sessions "
                f"go into a correcting batch (--corrects {finalized[0].id})"
            )
        return
    original = store.batches.get(corrects_batch_id)
    if original.status is not BatchStatus.FINALIZED:
        raise BatchStateError(f"batch {corrects_batch_id} is a draft: change it instead")
    if original.period != period:
        raise BatchStateError(
            f"batch {corrects_batch_id} is for {original.period.label}, not {period.label}"
        )


def meter_figures(
    store: EreStore,
    keys: set[tuple[str, str]],
    period: DeliveryPeriod,
    start: datetime,
    end: datetime,
) -> dict[LineKey, Decimal]:
    """The metered kWh of each meter-read line (customer id, booking EAN) in `keys`."""
    figures: dict[LineKey, Decimal] = {}
    for customer_id, ean in keys:
        readings = [MeterReading(at, kwh) for at, kwh in store.metering.readings(ean)]
        figures[(customer_id, ean, period)] = meter_quantity(readings, start, end).energy_kwh
    return figures


def _store_lines(store: EreStore, batch: Batch, line_ids: dict[tuple[str, str], int]) -> None:
    for line in batch.lines:
        check = line.reconciliation
        store.batches.update_line(
            line_ids[(line.customer_id, line.ean)],
            metering_kind=line.metering_kind.value,
            energy_kwh=line.energy_kwh,
            sessions_energy_kwh=line.sessions_energy_kwh,
            energy_kwh_by_month={month: str(kwh) for month, kwh in line.energy_kwh_by_month},
            session_count=line.session_count,
            ere_exact=str(line.ere_exact),
            ere=line.ere,
            is_estimate=line.is_estimate,
            reconciliation=None
            if check is None
            else {
                "meter_energy_kwh": str(check.meter_energy_kwh),
                "sessions_energy_kwh": str(check.sessions_energy_kwh),
                "difference_kwh": str(check.difference_kwh),
                "difference_ratio": str(check.difference_ratio),
                "tolerance": str(check.tolerance),
                "flagged": str(check.flagged).lower(),
            },
        )
