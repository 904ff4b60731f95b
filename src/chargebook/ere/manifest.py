"""Batch manifests: a deterministic JSON document naming every session and its evidence hash.

The document is serialised canonically (keys sorted, no spaces, ASCII) and hashed with SHA-256,
so the same inputs always give the same bytes and the same hash, whatever their input order.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from chargebook.ere.batch import Batch
from chargebook.ere.exceptions import EreError

MANIFEST_FORMAT = "chargebook-ere-manifest/1"
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


class ManifestError(EreError):
    """A manifest input is wrong: a malformed hash or a session listed twice."""


@dataclass(frozen=True, slots=True)
class Manifest:
    document: dict[str, Any]
    canonical_json: str
    sha256: str


def canonical_json(document: dict[str, Any]) -> str:
    """The canonical serialisation hashed by `build_manifest`."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def build_manifest(
    *,
    batch_id: str,
    parameter_version: str,
    sessions: Iterable[tuple[str, str]],
    batch: Batch | None = None,
) -> Manifest:
    """Build a batch manifest and its own SHA-256.

    Args:
        batch_id: the batch's identifier.
        parameter_version: the ERE parameter version the batch was computed with.
        sessions: (session id, SHA-256 hex of its raw evidence) pairs, in any order.
        batch: when given, its lines (kWh, EREs, mandate) are summarised in the manifest.

    Returns:
        The document (sessions sorted by id), its canonical JSON and that JSON's SHA-256 hex.

    Raises:
        ManifestError: a hash is not 64 lower-case hex digits, or a session id repeats.
    """
    entries: dict[str, str] = {}
    for session_id, digest in sessions:
        if not _SHA256_HEX.fullmatch(digest):
            raise ManifestError(f"session {session_id}: evidence hash is not a SHA-256 hex digest")
        if session_id in entries:
            raise ManifestError(f"session {session_id} is listed twice")
        entries[session_id] = digest
    document: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "batch_id": batch_id,
        "parameter_version": parameter_version,
        "session_count": len(entries),
        "sessions": [{"id": sid, "evidence_sha256": entries[sid]} for sid in sorted(entries)],
    }
    if batch is not None:
        document["lines"] = [
            {
                "customer_id": line.customer_id,
                "ean": line.ean,
                "period": line.period.label,
                "energy_kwh": str(line.energy_kwh),
                "ere": str(line.ere),
                "mandate_id": line.mandate_id,
                "mandate_signed_on": line.mandate_signed_on.isoformat(),
                "session_count": line.session_count,
            }
            for line in batch.lines
        ]
        document["total_energy_kwh"] = str(batch.total_energy_kwh)
        document["total_ere"] = str(batch.total_ere)
    text = canonical_json(document)
    return Manifest(document, text, hashlib.sha256(text.encode("ascii")).hexdigest())
