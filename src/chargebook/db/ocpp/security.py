"""An OCPP charger's minimum security profile and the certificates issued to it, in the book.

The rule (refuse below, raise on a higher connection, the operator may lower) is
`domain.ocpp_security`; this stores its outcome. Raising is one conditional UPDATE, so two
handshakes at once never lower what the other raised."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from chargebook.clock import Clock
from chargebook.db.book.tables import ChargerRow
from chargebook.db.ocpp.certificate_tables import OcppIssuedCertificateRow
from chargebook.db.ocpp.lookups import is_charge_point
from chargebook.errors import NotFoundError


@dataclass(frozen=True, slots=True)
class IssuedCertificate:
    """A certificate chargebook's CA signed for a charger (public facts only)."""

    charge_point_id: str
    serial_hex: str
    sha256_fingerprint: str
    subject: str
    certificate_type: str
    not_before: datetime
    not_after: datetime
    issued_at: datetime


class OcppSecurityRepository:
    """Adds and flushes, never commits."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def minimum_profile(self, charge_point_id: str) -> int:
        """The charger's stored minimum.

        Raises:
            NotFoundError: no such OCPP charger.
        """
        return self._row(charge_point_id).ocpp_min_security_profile or 0

    def raise_minimum(self, charge_point_id: str, profile: int) -> None:
        """Store `profile` as the minimum if it is higher than the stored one."""
        self._session.execute(
            update(ChargerRow)
            .where(
                is_charge_point(charge_point_id),
                ChargerRow.ocpp_min_security_profile < profile,
            )
            .values(ocpp_min_security_profile=profile, updated_at=self._clock.now())
        )

    def set_minimum(self, charge_point_id: str, profile: int) -> int:
        """Store `profile` (higher or lower); returns the previous minimum.

        Raises:
            NotFoundError: no such OCPP charger.
        """
        row = self._row(charge_point_id)
        previous = row.ocpp_min_security_profile or 0
        row.ocpp_min_security_profile = profile
        row.updated_at = self._clock.now()
        self._session.flush()
        return previous

    def record_certificate(self, charge_point_id: str, issued: IssuedCertificate) -> None:
        """Keep what was issued (serial, fingerprint, validity).

        Raises:
            NotFoundError: no such OCPP charger.
        """
        row = self._row(charge_point_id)
        self._session.add(
            OcppIssuedCertificateRow(
                charger_id=row.id,
                serial_hex=issued.serial_hex,
                sha256_fingerprint=issued.sha256_fingerprint,
                subject=issued.subject[:300],
                certificate_type=issued.certificate_type,
                not_before=issued.not_before,
                not_after=issued.not_after,
                issued_at=issued.issued_at,
            )
        )
        self._session.flush()

    def certificates(self, charge_point_id: str | None = None) -> list[IssuedCertificate]:
        """Issued certificates, soonest expiry first (of one charger when an id is given)."""
        query = (
            select(OcppIssuedCertificateRow, ChargerRow.external_id)
            .join(ChargerRow, ChargerRow.id == OcppIssuedCertificateRow.charger_id)
            .order_by(OcppIssuedCertificateRow.not_after, OcppIssuedCertificateRow.id)
        )
        if charge_point_id is not None:
            query = query.where(
                is_charge_point(charge_point_id),
            )
        return [
            IssuedCertificate(
                charge_point_id=external_id,
                serial_hex=row.serial_hex,
                sha256_fingerprint=row.sha256_fingerprint,
                subject=row.subject,
                certificate_type=row.certificate_type,
                not_before=row.not_before,
                not_after=row.not_after,
                issued_at=row.issued_at,
            )
            for row, external_id in self._session.execute(query)
        ]

    def _row(self, charge_point_id: str) -> ChargerRow:
        row = self._session.scalars(
            select(ChargerRow).where(
                is_charge_point(charge_point_id),
            )
        ).one_or_none()
        if row is None:
            raise NotFoundError(f"no OCPP charge point {charge_point_id}")
        return row
