"""Registration batches over the book: create (eligibility + calculation + registration),
finalize (integrity check + manifest), discard, and the manifest itself.

Every session is registered at most once, ever: `ere_batch_sessions` is keyed by the session
(the database refuses a second registration), batch creation is serialised
(`EreStore.lock_registrations`), and candidates already registered fail the core's
`already_registered` rule. A finalized batch is immutable; later sessions of its period go into
a correcting batch that references it.

`create_batch` evaluates and registers in the database (`sql_path`: the rules once into a
temporary table, grouped from there for the lines, then `INSERT ... SELECT` of its eligible
sessions; no session row through Python);
`create_batch_streamed` is the same by the pure Python rules over a stream, the reference and
the fallback when the SQL path does not apply.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import DeliveryPeriod, Mandate, MeteringKind
from chargebook.domain.ere_book import (
    BatchStatus,
    StoredBatch,
    StoredBatchLine,
    period_kind_of,
)
from chargebook.ere import (
    Batch,
    BatchBuilder,
    BatchLine,
    BookingPolicy,
    LineKey,
    Manifest,
    MeterReading,
    ParameterSet,
    ReasonCode,
    build_manifest,
    meter_quantity,
    period_bounds,
)
from chargebook.ere.service.context import stream_verdicts
from chargebook.ere.service.errors import (
    BatchStateError,
    IntegrityCheckError,
    NothingToRegisterError,
)
from chargebook.ere.service.rules_path import RulesPath, rules_path
from chargebook.ere.service.sql_path import micro_to_kwh, verdict_query

FLUSH_ROWS = 5_000
_READINGS_KINDS = (MeteringKind.SAP, MeteringKind.DEDICATED_CONNECTION)
Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class BatchCreated:
    batch: StoredBatch
    lines: list[StoredBatchLine]
    evaluated: int
    skipped_by_reason: dict[ReasonCode, int]  # first failure of each skipped session


def create_batch(
    store: EreStore,
    period: DeliveryPeriod,
    *,
    parameters: ParameterSet,
    now: datetime,
    corrects_batch_id: int | None = None,
    policy: BookingPolicy | None = None,
    service_provider_id: str | None = None,
    progress: Progress | None = None,
) -> BatchCreated:
    """Register every eligible, not yet registered session delivered in `period` in a new
    draft batch, one line per customer and booking EAN; the rules run in the database.

    Raises:
        BatchStateError: the period has a finalized batch and no `corrects_batch_id` was given,
            or the batch to correct is not a finalized batch of the same period.
        NothingToRegisterError: no eligible session is left (nothing is written).
        SapReconciliationError: a SAP/connection line lacks meter readings for the period.
        ParametersError: no ERE parameters for the period's year.
        IntegrityCheckError: the registration did not insert the sessions the lines count.
    """
    store.lock_registrations()
    if rules_path(store) is RulesPath.PYTHON:
        return create_batch_streamed(
            store,
            period,
            parameters=parameters,
            now=now,
            corrects_batch_id=corrects_batch_id,
            policy=policy,
            service_provider_id=service_provider_id,
            progress=progress,
        )
    _check_correction(store, period, corrects_batch_id)
    query = verdict_query(
        store, period, now=now, policy=policy, service_provider_id=service_provider_id
    )
    groups = store.stage_verdicts(query)
    evaluated = sum(group.sessions for group in groups)
    skipped: Counter[ReasonCode] = Counter()
    eligible = []
    for group in groups:
        if group.first_reason is None and group.mandate_id is not None:
            eligible.append(group)
        else:
            skipped[ReasonCode(group.first_reason or ReasonCode.NO_MANDATE)] += group.sessions
    if progress is not None:
        progress(evaluated)
    if not eligible:
        store.drop_staged()
        raise NothingToRegisterError(
            f"no eligible, unregistered session in {period.label} ({evaluated} evaluated)"
        )
    eligible.sort(
        key=lambda g: (g.customer_id, g.booking_ean, g.month, g.metering_kind or "", g.mandate_id)
    )
    batch_id, builder = _new_batch(store, period, parameters, corrects_batch_id)
    mandates: dict[int, Mandate] = {}
    kinds: dict[tuple[str, str], MeteringKind] = {}
    line_mandates: dict[tuple[str, str], int] = {}
    for group in eligible:
        assert group.mandate_id is not None  # filtered above
        mandate = mandates.get(group.mandate_id)
        if mandate is None:
            mandate = mandates[group.mandate_id] = store.mandates.get(group.mandate_id).mandate
        kind = MeteringKind(group.metering_kind or MeteringKind.INTEGRATED_MID)
        key = (str(group.customer_id), group.booking_ean)
        line_mandates.setdefault(key, group.mandate_id)
        if key not in kinds or kind in _READINGS_KINDS:
            kinds[key] = kind  # any meter-read session makes the line meter-read
        builder.add_quantity(
            customer_id=key[0],
            ean=key[1],
            year=period.year,
            month=group.month,
            energy_kwh=micro_to_kwh(group.net_micro_kwh),
            session_count=group.sessions,
            mandate=mandate,
            metering_kind=kind,
        )
    start, end = period_bounds(period)
    line_ids = {
        key: _add_line(store, batch_id, key, period, kind, line_mandates[key])
        for key, kind in kinds.items()
    }
    registered = store.register_staged(batch_id)
    expected = sum(group.sessions for group in eligible)
    if registered != expected:
        raise IntegrityCheckError(
            f"batch {batch_id}: {registered} sessions registered, the lines count {expected}"
        )
    readings_keys = {key for key, kind in kinds.items() if kind in _READINGS_KINDS}
    meters = _meter_figures(store, readings_keys, period, start, end)
    batch = builder.build(meter_energy_kwh=meters)
    return _complete(store, batch, batch_id, line_ids, corrects_batch_id, evaluated, skipped)


def create_batch_streamed(
    store: EreStore,
    period: DeliveryPeriod,
    *,
    parameters: ParameterSet,
    now: datetime,
    corrects_batch_id: int | None = None,
    policy: BookingPolicy | None = None,
    service_provider_id: str | None = None,
    progress: Progress | None = None,
) -> BatchCreated:
    """`create_batch` by the pure Python rules over a stream of the sessions (the reference,
    and the fallback when the SQL path does not apply).

    Raises:
        BatchStateError: the period has a finalized batch and no `corrects_batch_id` was given,
            or the batch to correct is not a finalized batch of the same period.
        NothingToRegisterError: no eligible session is left (nothing is written).
        SapReconciliationError: a SAP/connection line lacks meter readings for the period.
        ParametersError: no ERE parameters for the period's year.
    """
    store.lock_registrations()
    _check_correction(store, period, corrects_batch_id)
    batch_id, builder = _new_batch(store, period, parameters, corrects_batch_id)
    line_ids: dict[tuple[str, str], int] = {}
    readings_keys: set[tuple[str, str]] = set()
    skipped: Counter[ReasonCode] = Counter()
    pending: list[tuple[int, int, int, Decimal, str]] = []
    start, end = period_bounds(period)
    evaluated = 0
    for verdict, digest in stream_verdicts(
        store, period, now=now, policy=policy, service_provider_id=service_provider_id
    ):
        evaluated += 1
        if progress is not None and evaluated % FLUSH_ROWS == 0:
            progress(evaluated)
        if verdict.failures or verdict.mandate is None or verdict.booking_ean is None:
            skipped[verdict.failures[0] if verdict.failures else ReasonCode.NO_MANDATE] += 1
            continue
        builder.add(verdict)
        key = (verdict.customer_id or "", verdict.booking_ean)
        line_id = line_ids.get(key)
        if line_id is None:
            line_id = line_ids[key] = _add_line(
                store,
                batch_id,
                key,
                period,
                verdict.metering_kind or MeteringKind.INTEGRATED_MID,
                int(verdict.mandate.mandate_id),
            )
        if verdict.metering_kind in _READINGS_KINDS:
            readings_keys.add(key)
        pending.append((int(verdict.session_id), batch_id, line_id, verdict.net_energy_kwh, digest))
        if len(pending) >= FLUSH_ROWS:
            store.insert_batch_sessions(pending)
            pending.clear()
    store.insert_batch_sessions(pending)
    if progress is not None:
        progress(evaluated)
    if not line_ids:
        raise NothingToRegisterError(
            f"no eligible, unregistered session in {period.label} ({evaluated} evaluated)"
        )
    meters = _meter_figures(store, readings_keys, period, start, end)
    batch = builder.build(meter_energy_kwh=meters)
    return _complete(store, batch, batch_id, line_ids, corrects_batch_id, evaluated, skipped)


def _new_batch(
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


def _add_line(
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


def _complete(
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


def _check_correction(
    store: EreStore, period: DeliveryPeriod, corrects_batch_id: int | None
) -> None:
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


def _meter_figures(
    store: EreStore,
    keys: set[tuple[str, str]],
    period: DeliveryPeriod,
    start: datetime,
    end: datetime,
) -> dict[LineKey, Decimal]:
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


def verify_batch(store: EreStore, batch_id: int) -> None:
    """Check that every line's session count and kWh equal its registered sessions' (summed
    by the database) and that the batch totals equal the sum of its lines.

    Raises:
        IntegrityCheckError: naming the first mismatch.
    """
    batch = store.batches.get(batch_id)
    lines = store.batches.lines(batch_id)
    sums = store.batches.session_totals(batch_id)
    for line in lines:
        count, energy = sums.get(line.id, (0, Decimal(0)))
        if count != line.session_count or energy != line.sessions_energy_kwh:
            raise IntegrityCheckError(
                f"line {line.id}: {line.session_count} sessions / {line.sessions_energy_kwh} kWh "
                f"recorded, {count} / {energy} registered"
            )
    if len(sums) != len(lines):
        raise IntegrityCheckError(f"batch {batch_id} has sessions on lines it does not have")
    totals = (
        sum((line.energy_kwh for line in lines), Decimal(0)),
        sum((line.ere for line in lines), Decimal(0)),
        sum(line.session_count for line in lines),
    )
    if totals != (batch.total_energy_kwh, batch.total_ere, batch.session_count):
        raise IntegrityCheckError(f"batch {batch_id}: totals differ from the sum of its lines")


def core_line(line: StoredBatchLine) -> BatchLine:
    """A stored line as the core's `BatchLine` (without session ids)."""
    return BatchLine(
        customer_id=line.customer_id,
        ean=line.ean,
        period=line.period,
        delivery_start=line.delivery_start,
        delivery_end=line.delivery_end,
        metering_kind=line.metering_kind,
        energy_kwh=line.energy_kwh,
        sessions_energy_kwh=line.sessions_energy_kwh,
        energy_kwh_by_month=line.energy_kwh_by_month,
        session_count=line.session_count,
        session_ids=(),
        mandate_id=str(line.mandate_id),
        mandate_signed_on=line.mandate_signed_on,
        mandate_first_year=line.mandate_first_year,
        mandate_last_year=line.mandate_last_year,
        ere_exact=line.ere_exact,
        ere=line.ere,
        is_estimate=line.is_estimate,
    )


def batch_manifest(store: EreStore, batch_id: int) -> Manifest:
    """The manifest of a batch: every registered session's id (`source:external_id`) with the
    SHA-256 of its raw evidence as registered, the parameter version and the lines."""
    stored = store.batches.get(batch_id)
    lines = store.batches.lines(batch_id)
    core = Batch(
        period_kind=stored.period_kind,
        parameter_version=stored.parameter_version,
        lines=tuple(core_line(line) for line in lines),
        total_energy_kwh=stored.total_energy_kwh,
        total_ere=stored.total_ere,
        session_count=stored.session_count,
        skipped_ineligible=0,
    )
    return build_manifest(
        batch_id=str(batch_id),
        parameter_version=stored.parameter_version,
        sessions=(
            (registered.manifest_id, registered.raw_sha256)
            for registered in store.batches.registered_sessions(batch_id)
        ),
        batch=core,
    )


def finalize_batch(store: EreStore, batch_id: int) -> StoredBatch:
    """Verify a draft batch, compute its manifest and freeze it.

    Raises:
        BatchFinalizedError: already finalized.
        IntegrityCheckError: its totals do not match its sessions.
    """
    verify_batch(store, batch_id)
    manifest = batch_manifest(store, batch_id)
    finalized = store.batches.finalize(batch_id, manifest.sha256)
    store.audit.append(
        actor="ere",
        action="ere_batch.finalized",
        entity_type="ere_batch",
        entity_id=batch_id,
        payload={"manifest_sha256": manifest.sha256, "sessions": finalized.session_count},
    )
    return finalized


def discard_batch(store: EreStore, batch_id: int) -> None:
    """Delete a draft batch (its sessions become free again).

    Raises:
        BatchFinalizedError: the batch is finalized.
    """
    store.batches.discard(batch_id)
    store.audit.append(
        actor="ere", action="ere_batch.discarded", entity_type="ere_batch", entity_id=batch_id
    )
