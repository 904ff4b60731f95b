"""A draft batch's end: verified (its lines and totals against its registered sessions),
its manifest, finalized (frozen with the manifest's SHA-256) or discarded (its sessions free
again). Creating one (and a correcting one): `batch_create`.
"""

from __future__ import annotations

from decimal import Decimal

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere_book import StoredBatch, StoredBatchLine
from chargebook.ere import Batch, BatchLine, Manifest, build_manifest
from chargebook.ere.service import events
from chargebook.ere.service.errors import IntegrityCheckError


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
    events.batch_finalized(store, finalized, manifest.sha256)
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
