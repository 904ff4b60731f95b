"""The evidence pack of one customer in one batch, for the verifier (a zip):

- `README.txt`        what is inside and how to check it
- `lines.csv`         the customer's registration lines
- `sessions.csv`      every registered session: ids, times (UTC), kWh booked, raw SHA-256
- `raw/<id>.json`     each session's raw payload exactly as stored (its SHA-256 is listed)
- `metering.json`     per charger: facts, construct history (kind, MID serial, SAP EAN,
                      validity, detection explanation)
- `mandates.json`     the mandates of the lines and the grid connection (EAN, address, party)
- `mandates/<id>.pdf` each mandate's signed document, as stored (its SHA-256 in mandates.json)
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere_book import StoredBatch, StoredBatchLine
from chargebook.ere.service.mandate_document import MandatePdf, mandate_pdf
from chargebook.ere.service.metering import metering_history
from chargebook.spreadsheet_cells import SafeCsvWriter

# Keys whose values never leave the book, even inside a raw payload.
_SECRET_KEY = re.compile(r"pass(word)?|token|secret|authori[sz]ation|api[_-]?key|cookie", re.I)
REDACTED = "[redacted]"


def redact(value: Any) -> tuple[Any, bool]:
    """`value` with every secret-looking key's value replaced; and whether any was."""
    if isinstance(value, dict):
        changed = False
        out: dict[str, Any] = {}
        for key, item in value.items():
            if _SECRET_KEY.search(str(key)):
                out[key] = REDACTED
                changed = True
            else:
                out[key], sub = redact(item)
                changed = changed or sub
        return out, changed
    if isinstance(value, list):
        items = [redact(item) for item in value]
        return [item for item, _ in items], any(flag for _, flag in items)
    return value, False


def _json(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=True, default=str) + "\n"


def write_evidence_pack(
    store: EreStore,
    batch: StoredBatch,
    customer_id: int,
    lines: list[StoredBatchLine],
    path: Path,
) -> Path:
    """Write the customer's evidence pack to `path` (a zip); returns the path.

    Raises:
        OSError: the file cannot be written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    charger_ids: set[int] = set()
    redacted: list[str] = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as pack:
        sessions_csv = io.StringIO()
        writer = SafeCsvWriter(sessions_csv)
        writer.writerow(
            [
                "manifest_id",
                "book_session_id",
                "charger_id",
                "line_id",
                "started_at_utc",
                "ended_at_utc",
                "energy_kwh_booked",
                "raw_sha256",
                "raw_file",
            ]
        )
        for registered in store.batches.registered_sessions(batch.id, customer_id=customer_id):
            charger_ids.add(registered.charger_id)
            raw_text, _current = store.raw_payload(registered.session_id)
            name = f"raw/{registered.source}_{_safe(registered.external_id)}.json"
            if hashlib.sha256(raw_text.encode("utf-8")).hexdigest() != registered.raw_sha256:
                name = name.replace(".json", ".changed-after-registration.json")
            clean, changed = redact(json.loads(raw_text))
            if changed:
                redacted.append(name)
                raw_text = json.dumps(clean, sort_keys=True, separators=(",", ":"))
            pack.writestr(name, raw_text)
            writer.writerow(
                [
                    registered.manifest_id,
                    registered.session_id,
                    registered.charger_id,
                    registered.line_id,
                    registered.started_at.isoformat(),
                    registered.ended_at.isoformat(),
                    registered.energy_kwh,
                    registered.raw_sha256,
                    name,
                ]
            )
        pack.writestr("sessions.csv", sessions_csv.getvalue())
        pack.writestr("lines.csv", _lines_csv(lines))
        pack.writestr("metering.json", _json(_metering(store, sorted(charger_ids))))
        # Each mandate's document once: its bytes in the pack, its SHA-256 in mandates.json.
        pdfs = {m: mandate_pdf(store, m) for m in sorted({line.mandate_id for line in lines})}
        pack.writestr("mandates.json", _json(_mandates(store, pdfs)))
        for mandate_id, pdf in pdfs.items():
            pack.writestr(f"mandates/mandate-{mandate_id}.pdf", pdf.data)
        pack.writestr("README.txt", _readme(batch, customer_id, redacted))
    return path


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)


def _lines_csv(lines: list[StoredBatchLine]) -> str:
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(["line_id", "ean", "period", "metering_kind", "energy_kwh", "ere", "sessions"])
    for line in lines:
        writer.writerow(
            [
                line.id,
                line.ean,
                line.period.label,
                line.metering_kind.value,
                line.energy_kwh,
                line.ere,
                line.session_count,
            ]
        )
    return out.getvalue()


def _metering(store: EreStore, charger_ids: list[int]) -> list[dict[str, Any]]:
    chargers = []
    for charger_id in charger_ids:
        stored = store.chargers.get(charger_id)
        facts = stored.charger
        chargers.append(
            {
                "charger_id": charger_id,
                "source": facts.source.value,
                "external_id": facts.external_id,
                "name": facts.name,
                "model": facts.model,
                "part_number": facts.part_number,
                "serial_number": facts.serial_number,
                "mid_reported": {
                    "enabled": facts.mid.enabled,
                    "serial_number": facts.mid.serial_number,
                    "status": facts.mid.status,
                },
                "constructs": [
                    {
                        "kind": c.construct.kind.value,
                        "valid_from": c.construct.valid_from.isoformat(),
                        "valid_until": c.construct.valid_until.isoformat()
                        if c.construct.valid_until
                        else None,
                        "mid_serial": c.construct.mid_serial,
                        "sap_ean": c.construct.sap_ean,
                        "explanation": c.explanation,
                        "recorded_by": c.recorded_by,
                        # from the charger's first MID-metered session (a meter there all along)
                        "from_first_mid_session": c.construct.from_first_mid_session,
                        "evidence_reference": c.evidence_reference,
                        "evidence_file_name": c.evidence_file_name,
                        "evidence_file_sha256": c.evidence_file_sha256,
                    }
                    for c in metering_history(store, charger_id)
                ],
            }
        )
    return chargers


def _mandates(store: EreStore, pdfs: dict[int, MandatePdf]) -> list[dict[str, Any]]:
    out = []
    for mandate_id, pdf in pdfs.items():
        stored = store.mandates.get(mandate_id)
        mandate = stored.mandate
        connection = store.connections.get(stored.connection_id)
        address = connection.connection.address
        out.append(
            {
                "mandate_id": mandate_id,
                "ean": mandate.ean,
                "service_provider_id": mandate.service_provider_id,
                "first_year": mandate.first_year,
                "last_year": mandate.last_year,
                "consent_grid_operator_data": mandate.consent_grid_operator_data,
                "consent_verifier_visit": mandate.consent_verifier_visit,
                "signed_by_name": mandate.signed_by_name,
                "signed_on": mandate.signed_on.isoformat(),
                "document_pdf_sha256": pdf.sha256,
                "connection": {
                    "ean": connection.connection.ean,
                    "connected_party_name": connection.connection.connected_party_name,
                    "street": address.street,
                    "house_number": address.house_number,
                    "postal_code": address.postal_code,
                    "city": address.city,
                    "country_code": address.country_code,
                },
            }
        )
    return out


def _readme(batch: StoredBatch, customer_id: int, redacted: list[str]) -> str:
    text = (
        f"ERE evidence pack: batch {batch.id} ({batch.period.label}), customer {customer_id}\n"
        f"Parameter version: {batch.parameter_version}\n"
        f"Batch manifest SHA-256: {batch.manifest_sha256}\n\n"
        "sessions.csv lists every registered session with the SHA-256 of its raw payload as\n"
        "registered; raw/ holds the payloads (sha256sum of a file equals its raw_sha256).\n"
        "metering.json holds the charger's metering constructs; mandates.json the mandates.\n"
    )
    if redacted:
        text += (
            "\nRedacted (secret-looking keys removed; the hash refers to the original): "
            + ", ".join(redacted)
            + "\n"
        )
    return text
