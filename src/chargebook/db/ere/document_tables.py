"""The signed mandate as a document (migration 0015_ere_mandate_documents).

One row per mandate, written when it is signed: the text version and the exact words agreed
to, with every field the document shows (a canonical JSON snapshot and its SHA-256). The PDF
is drawn from that snapshot once and stored with its SHA-256; from then on the row is
immutable (triggers: no DELETE; UPDATE only to store the PDF the first time, snapshot
unchanged). Stored bytes rather than a redraw on each download: a later matplotlib or font
would draw different bytes, and the evidence is the document the owner received.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chargebook.db.core.base import Base
from chargebook.db.core.types import UTCDateTime


class EreMandateDocumentRow(Base):
    __tablename__ = "ere_mandate_documents"

    mandate_id: Mapped[int] = mapped_column(ForeignKey("ere_mandates.id"), primary_key=True)
    text_version: Mapped[str] = mapped_column(String(20))
    snapshot: Mapped[str] = mapped_column(Text)  # canonical JSON: text + fields as signed
    snapshot_sha256: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # False for a mandate signed before documents were recorded: drawn later, and says so.
    recorded_at_signing: Mapped[bool] = mapped_column(Boolean)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
