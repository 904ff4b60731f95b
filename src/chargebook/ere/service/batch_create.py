"""Creating a registration batch: every eligible, not yet registered session of a period
registered in a new draft batch, one line per customer and booking EAN (the rows it writes:
`batch_draft`).

`create_batch` evaluates and registers in the database (`sql_path`: the rules once into a
temporary table, grouped from there for the lines, then `INSERT ... SELECT` of its eligible
sessions; no session row through Python);
`create_batch_streamed` is the same by the pure Python rules over a stream, the reference and
the fallback when the SQL path does not apply.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from decimal import Decimal

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import DeliveryPeriod, Mandate, MeteringKind
from chargebook.ere import BookingPolicy, ParameterSet, ReasonCode, period_bounds
from chargebook.ere.service.batch_draft import (
    READINGS_KINDS,
    BatchCreated,
    Progress,
    add_line,
    check_correction,
    complete_batch,
    meter_figures,
    new_batch,
)
from chargebook.ere.service.context import stream_verdicts
from chargebook.ere.service.errors import IntegrityCheckError, NothingToRegisterError
from chargebook.ere.service.rules_path import RulesPath, rules_path
from chargebook.ere.service.sql_path import micro_to_kwh, verdict_query

FLUSH_ROWS = 5_000


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
    check_correction(store, period, corrects_batch_id)
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
    batch_id, builder = new_batch(store, period, parameters, corrects_batch_id)
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
        if key not in kinds or kind in READINGS_KINDS:
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
        key: add_line(store, batch_id, key, period, kind, line_mandates[key])
        for key, kind in kinds.items()
    }
    registered = store.register_staged(batch_id)
    expected = sum(group.sessions for group in eligible)
    if registered != expected:
        raise IntegrityCheckError(
            f"batch {batch_id}: {registered} sessions registered, the lines count {expected}"
        )
    readings_keys = {key for key, kind in kinds.items() if kind in READINGS_KINDS}
    meters = meter_figures(store, readings_keys, period, start, end)
    batch = builder.build(meter_energy_kwh=meters)
    return complete_batch(store, batch, batch_id, line_ids, corrects_batch_id, evaluated, skipped)


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
    check_correction(store, period, corrects_batch_id)
    batch_id, builder = new_batch(store, period, parameters, corrects_batch_id)
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
            line_id = line_ids[key] = add_line(
                store,
                batch_id,
                key,
                period,
                verdict.metering_kind or MeteringKind.INTEGRATED_MID,
                int(verdict.mandate.mandate_id),
            )
        if verdict.metering_kind in READINGS_KINDS:
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
    meters = meter_figures(store, readings_keys, period, start, end)
    batch = builder.build(meter_energy_kwh=meters)
    return complete_batch(store, batch, batch_id, line_ids, corrects_batch_id, evaluated, skipped)
