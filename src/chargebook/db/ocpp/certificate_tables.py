"""Certificates chargebook's CSR-signing CA issued to OCPP chargers (SignCertificate, use case
A02), so the operator sees which charger holds which certificate and when it expires.
Imported by `chargebook.db.schema`. Only public facts: never a key, never the certificate's
private half (chargebook never sees it: the charger keeps its key and sends a CSR)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from chargebook.db.core.base import Base
from chargebook.db.core.types import UTCDateTime


class OcppIssuedCertificateRow(Base):
    """One certificate signed for a charger (its serial is unique per issuing CA)."""

    __tablename__ = "ocpp_issued_certificates"
    __table_args__ = (Index("ix_ocpp_issued_certificates_charger_id", "charger_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id", ondelete="CASCADE"))
    serial_hex: Mapped[str] = mapped_column(String(42), unique=True)  # <= 20 bytes (RFC 5280)
    sha256_fingerprint: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(300))  # RFC 4514, e.g. "CN=CP-1,O=Acme"
    certificate_type: Mapped[str] = mapped_column(String(40))  # ChargingStationCertificate
    not_before: Mapped[datetime] = mapped_column(UTCDateTime())
    not_after: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
