"""The mandate documents' repository: record the snapshot at signing, store the PDF once.

Adds and flushes, never commits. The table's triggers (migration 0015) make a row immutable
once its PDF is stored; this repository never tries otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from chargebook.clock import Clock
from chargebook.db.core.writes import flush_or_conflict
from chargebook.db.ere.document_tables import EreMandateDocumentRow
from chargebook.errors import ConflictError


@dataclass(frozen=True, slots=True)
class StoredMandateDocument:
    mandate_id: int
    text_version: str
    snapshot: str  # canonical JSON
    snapshot_sha256: str
    recorded_at: datetime
    recorded_at_signing: bool
    pdf: bytes | None
    pdf_sha256: str | None


def _document(row: EreMandateDocumentRow) -> StoredMandateDocument:
    return StoredMandateDocument(
        mandate_id=row.mandate_id,
        text_version=row.text_version,
        snapshot=row.snapshot,
        snapshot_sha256=row.snapshot_sha256,
        recorded_at=row.recorded_at,
        recorded_at_signing=row.recorded_at_signing,
        pdf=row.pdf,
        pdf_sha256=row.pdf_sha256,
    )


class MandateDocumentRepository:
    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def get(self, mandate_id: int) -> StoredMandateDocument | None:
        row = self._session.get(EreMandateDocumentRow, mandate_id)
        return None if row is None else _document(row)

    def add(
        self,
        mandate_id: int,
        *,
        text_version: str,
        snapshot: str,
        snapshot_sha256: str,
        recorded_at_signing: bool,
    ) -> StoredMandateDocument:
        """Record a mandate's snapshot (once per mandate).

        Raises:
            ConflictError: the mandate has its document already.
        """
        row = EreMandateDocumentRow(
            mandate_id=mandate_id,
            text_version=text_version,
            snapshot=snapshot,
            snapshot_sha256=snapshot_sha256,
            recorded_at=self._clock.now(),
            recorded_at_signing=recorded_at_signing,
        )
        self._session.add(row)
        flush_or_conflict(self._session, f"mandate {mandate_id} has its document already")
        return _document(row)

    def store_pdf(self, mandate_id: int, pdf: bytes, pdf_sha256: str) -> StoredMandateDocument:
        """Store the PDF drawn from the snapshot (only while none is stored).

        Raises:
            ConflictError: no document for the mandate, or its PDF is stored already.
        """
        row = self._session.get(EreMandateDocumentRow, mandate_id)
        if row is None or row.pdf is not None:
            raise ConflictError(f"mandate {mandate_id}: no document or its PDF is stored already")
        row.pdf = pdf
        row.pdf_sha256 = pdf_sha256
        self._session.flush()
        return _document(row)
