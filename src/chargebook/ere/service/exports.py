"""Exports of a finalized batch: the registration as CSV and JSON, the manifest, and an
evidence pack per customer for the verifier (see `evidence.py`).

The manifest is rebuilt from the registered sessions and must hash to the value stored at
finalization: an export proves that the registered evidence has not changed since.
No export carries a password, token or secret: only book facts and the raw session payloads,
whose secret-looking keys (if a source ever sent one) are redacted.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere_book import BatchStatus, StoredBatch, StoredBatchLine, StoredConnection
from chargebook.ere.periods import DUTCH_ZONE
from chargebook.ere.service.batch_finalize import batch_manifest
from chargebook.ere.service.errors import BatchStateError, IntegrityCheckError
from chargebook.ere.service.evidence import write_evidence_pack
from chargebook.ere.service.materiality import EVIDENCE_BUILT, batch_materiality, checks_document
from chargebook.spreadsheet_cells import SafeDictWriter

LINE_COLUMNS = (
    "batch_id",
    "period",
    "delivery_start",
    "delivery_end",
    "customer_id",
    "customer_email",
    "connected_party_name",
    "ean",
    "street",
    "house_number",
    "postal_code",
    "city",
    "metering_kind",
    "energy_kwh",
    "ere",
    "is_estimate",
    "session_count",
    "mandate_id",
    "mandate_signed_on",
    "mandate_first_year",
    "mandate_last_year",
    "meter_check_flagged",
)


@dataclass(frozen=True, slots=True)
class BatchExport:
    batch: StoredBatch
    csv_path: Path
    json_path: Path
    manifest_path: Path
    evidence_paths: tuple[Path, ...]
    materiality_path: Path  # the 2 % checks, run before the packs leave


def line_record(
    store: EreStore, batch: StoredBatch, line: StoredBatchLine, connection: StoredConnection
) -> dict[str, Any]:
    """One registration line as the flat record exported to CSV and JSON."""
    address = connection.connection.address
    check = line.reconciliation or {}
    return {
        "batch_id": batch.id,
        "period": line.period.label,
        "delivery_start": line.delivery_start.astimezone(DUTCH_ZONE).date().isoformat(),
        "delivery_end": line.delivery_end.astimezone(DUTCH_ZONE).date().isoformat(),
        "customer_id": line.customer_id,
        "customer_email": connection.customer_email,
        "connected_party_name": connection.connection.connected_party_name,
        "ean": line.ean,
        "street": address.street,
        "house_number": address.house_number,
        "postal_code": address.postal_code,
        "city": address.city,
        "metering_kind": line.metering_kind.value,
        "energy_kwh": str(line.energy_kwh),
        "ere": str(line.ere),
        "is_estimate": line.is_estimate,
        "session_count": line.session_count,
        "mandate_id": line.mandate_id,
        "mandate_signed_on": line.mandate_signed_on.isoformat(),
        "mandate_first_year": line.mandate_first_year,
        "mandate_last_year": line.mandate_last_year,
        "meter_check_flagged": check.get("flagged", ""),
    }


def line_connection(store: EreStore, line: StoredBatchLine) -> StoredConnection:
    """The connection of a line's mandate (for a SAP line the line's EAN is the SAP's)."""
    return store.connections.get(store.mandates.get(line.mandate_id).connection_id)


def export_batch(store: EreStore, batch_id: int, directory: Path) -> BatchExport:
    """Write `ere-batch-N.csv`, `.json`, `.manifest.json` and `evidence/customer-C.zip`.

    Raises:
        BatchStateError: the batch is a draft.
        IntegrityCheckError: the rebuilt manifest differs from the one stored at finalization.
        OSError: the directory cannot be written.
    """
    batch = store.batches.get(batch_id)
    if batch.status is not BatchStatus.FINALIZED:
        raise BatchStateError(f"batch {batch_id} is a draft: finalize it before exporting")
    manifest = batch_manifest(store, batch_id)
    if manifest.sha256 != batch.manifest_sha256:
        raise IntegrityCheckError(
            f"batch {batch_id}: the manifest no longer hashes to {batch.manifest_sha256}"
        )
    directory.mkdir(parents=True, exist_ok=True)
    stem = directory / f"ere-batch-{batch_id}"
    lines = store.batches.lines(batch_id)
    records = [line_record(store, batch, line, line_connection(store, line)) for line in lines]
    csv_path = stem.with_suffix(".csv")
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = SafeDictWriter(handle, fieldnames=LINE_COLUMNS)
        writer.writeheader()
        # The amounts as numbers (the JSON keeps them as strings): only text is neutralised.
        writer.writerows({**record, "energy_kwh": line.energy_kwh, "ere": line.ere}
                         for record, line in zip(records, lines, strict=True))  # fmt: skip
    json_path = stem.with_suffix(".json")
    document = {
        "batch": {
            "id": batch.id,
            "period": batch.period.label,
            "period_kind": batch.period_kind.value,
            "status": batch.status.value,
            "corrects_batch_id": batch.corrects_batch_id,
            "parameter_version": batch.parameter_version,
            "total_energy_kwh": str(batch.total_energy_kwh),
            "total_ere": str(batch.total_ere),
            "session_count": batch.session_count,
            "finalized_at": batch.finalized_at.isoformat() if batch.finalized_at else None,
            "manifest_sha256": batch.manifest_sha256,
        },
        "lines": records,
    }
    json_path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    manifest_path = directory / f"ere-batch-{batch_id}.manifest.json"
    manifest_path.write_text(manifest.canonical_json, encoding="ascii")
    evidence: list[Path] = []
    for customer_id in sorted({int(line.customer_id) for line in lines}):
        evidence.append(
            write_evidence_pack(
                store,
                batch,
                customer_id,
                [line for line in lines if line.customer_id == str(customer_id)],
                directory / "evidence" / f"batch-{batch_id}-customer-{customer_id}.zip",
            )
        )
    checks = batch_materiality(store, batch_id)
    materiality_path = directory / f"ere-batch-{batch_id}.materiality.json"
    materiality_path.write_text(
        json.dumps(checks_document(checks), indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    blocking = sum(1 for check in checks if check.blocking)
    store.audit.append(
        actor="ere",
        action=EVIDENCE_BUILT,
        entity_type="ere_batch",
        entity_id=batch_id,
        payload={"packs": len(evidence), "materiality_blocking": blocking},
    )
    return BatchExport(batch, csv_path, json_path, manifest_path, tuple(evidence), materiality_path)


def export_batch_zip(store: EreStore, batch_id: int) -> tuple[str, bytes]:
    """`export_batch`'s files as one zip (its name, its bytes), for a download: the same
    files, under the same relative paths, as `chargebook ere batch export` writes.

    Raises:
        NotFoundError, BatchStateError, IntegrityCheckError: see `export_batch`.
    """
    with tempfile.TemporaryDirectory(prefix="chargebook-export-") as folder:
        done = export_batch(store, batch_id, Path(folder))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in (
                done.csv_path,
                done.json_path,
                done.manifest_path,
                done.materiality_path,
                *done.evidence_paths,
            ):
                archive.write(path, path.relative_to(folder).as_posix())
    return f"chargebook-batch-{batch_id}-{done.batch.period.label}.zip", buffer.getvalue()
