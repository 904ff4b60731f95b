"""Evidence for a metering date the owner or operator records (an upgrade, a SAP): a reference
(the installer's invoice number, a report) and/or a file (the invoice, a photo of the meter),
checked here and the file kept in the data dir's private storage (`chargebook.private_files`:
directory 0700, file 0600), named by its SHA-256 so the same file is stored once.

The verifier may ask for it (ere-rules §6: MID proof, installation invoice); the construct row
keeps the reference, the file's name and its digest.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePath

from chargebook.ere.periods import DUTCH_ZONE
from chargebook.errors import ChargebookError
from chargebook.private_files import PRIVATE_FILE_MODE, private_dir

# An invoice PDF or a phone photo fits; anything larger is not evidence but a mistake.
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_REFERENCE_CHARS = 500
MAX_NAME_CHARS = 200
EVIDENCE_DIR_NAME = "ere-evidence"


class MeteringInputError(ChargebookError):
    """A construct was described incompletely (e.g. a SAP without its EAN, a date without
    evidence or in the future)."""


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """An uploaded file: its name as the owner gave it and its bytes."""

    name: str
    content: bytes


@dataclass(frozen=True, slots=True)
class MeteringEvidence:
    """What shows the date is true: a reference, a file, or both (at least one)."""

    reference: str | None = None
    file: EvidenceFile | None = None


@dataclass(frozen=True, slots=True)
class StoredEvidence:
    reference: str | None
    file_name: str | None
    file_sha256: str | None


def evidence_dir(data_dir: Path) -> Path:
    """Where evidence files are kept under the data dir."""
    return data_dir / EVIDENCE_DIR_NAME


def check_dated_record(valid_from: datetime, now: datetime, evidence: MeteringEvidence) -> None:
    """A recorded date needs evidence and cannot lie in the future.

    Raises:
        MeteringInputError: no reference and no file, an empty or oversized file, a
            reference that is too long, or `valid_from` after `now`.
    """
    if valid_from > now:
        raise MeteringInputError(
            f"{valid_from.astimezone(DUTCH_ZONE).date().isoformat()} is in the future: record "
            "the date once the meter is in place"
        )
    reference = (evidence.reference or "").strip()
    if not reference and evidence.file is None:
        raise MeteringInputError(
            "a metering date needs evidence: a reference (e.g. the installer's invoice number) "
            "or a file (the invoice, a photo of the meter)"
        )
    if len(reference) > MAX_REFERENCE_CHARS:
        raise MeteringInputError(f"the reference is longer than {MAX_REFERENCE_CHARS} characters")
    if evidence.file is not None:
        size = len(evidence.file.content)
        if size == 0:
            raise MeteringInputError("the evidence file is empty")
        if size > MAX_EVIDENCE_BYTES:
            raise MeteringInputError(
                f"the evidence file is larger than {MAX_EVIDENCE_BYTES // (1024 * 1024)} MB"
            )


def store_evidence(evidence: MeteringEvidence, directory: Path | None) -> StoredEvidence:
    """Keep the file (if any) in `directory`, privately; the reference as given.

    Raises:
        MeteringInputError: a file but no directory to keep it in.
        OSError: the file cannot be written.
    """
    reference = (evidence.reference or "").strip() or None
    if evidence.file is None:
        return StoredEvidence(reference, None, None)
    if directory is None:
        raise MeteringInputError("evidence files cannot be stored here; give a reference")
    digest = hashlib.sha256(evidence.file.content).hexdigest()
    name = _plain_name(evidence.file.name)
    suffix = PurePath(name).suffix.lower()[:10]
    target = private_dir(directory) / f"{digest}{suffix}"
    if not target.exists():
        # Written beside the target and renamed: a crash never leaves half a file under the
        # digest's name.
        partial = target.with_name(f".{target.name}.partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
        with os.fdopen(fd, "wb") as out:
            out.write(evidence.file.content)
        partial.replace(target)
    return StoredEvidence(reference, name, digest)


def _plain_name(name: str) -> str:
    """The file's own name, without any directory a browser or shell put in front."""
    base = PurePath(name.replace("\\", "/")).name.strip() or "evidence"
    return base[-MAX_NAME_CHARS:]
