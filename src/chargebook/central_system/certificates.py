"""SignCertificate on the central system's side: who may ask (only over TLS, profile >= 2:
EVerest libocpp#857, certificate operations over profile 0/1 "should be rejected"), the CSR's
checks and signing (`csr_signing.CsrSigner`), and the book's record of what was issued.

A handler answers Accepted or Rejected from `sign`; the CertificateSigned CALL goes out from a
task afterwards (`CertificateCommands.send_certificate_chain`), never from inside the handler.
Every refusal is a security event, without the CSR.
"""

from __future__ import annotations

import asyncio
import logging

from chargebook.central_system.csr_signing import CsrRefusedError, CsrSigner, SignedCertificate
from chargebook.central_system.security_log import SecurityEvent, log_security_event
from chargebook.clock import Clock
from chargebook.db import Database
from chargebook.db.ocpp.security import IssuedCertificate, OcppSecurityRepository
from chargebook.domain.ocpp_security import BASIC_TLS

LOG = logging.getLogger("chargebook.central_system")
CHARGE_POINT_CERTIFICATE = "ChargePointCertificate"  # 1.6 security extension (A02)
CHARGING_STATION_CERTIFICATE = "ChargingStationCertificate"  # 2.0.1 certificateType


class CertificateService:
    """Signs chargers' CSRs with the configured CA (none configured: every CSR is Rejected)."""

    def __init__(self, signer: CsrSigner | None, database: Database, clock: Clock) -> None:
        self._signer = signer
        self._database = database
        self._clock = clock

    def notice(self) -> str:
        """The start-up line: whether SignCertificate can be answered Accepted."""
        if self._signer is None:
            return (
                "SignCertificate: no CSR-signing CA configured (CHARGEBOOK_OCPP_CSR_CA_CERT / "
                "_KEY), chargers' CSRs are Rejected"
            )
        return f"SignCertificate: chargers' CSRs over TLS are signed by {self._signer.ca_name}"

    async def sign(
        self, charge_point_id: str, csr: str, *, profile: int, certificate_type: str
    ) -> str | None:
        """The PEM chain for CertificateSigned, or None when the request is refused (the
        handler answers Rejected)."""
        if profile < BASIC_TLS:
            log_security_event(
                SecurityEvent.INSECURE_TRANSPORT,
                f"SignCertificate refused: the connection has security profile {profile}, "
                "a certificate is signed only over TLS",
                charge_point_id=charge_point_id,
            )
            return None
        if self._signer is None:
            LOG.warning(
                "charge point %s asked for a certificate, but no CSR-signing CA is configured "
                "(CHARGEBOOK_OCPP_CSR_CA_CERT / _KEY): Rejected",
                charge_point_id,
            )
            return None
        try:
            signed = await asyncio.to_thread(
                self._signer.sign, charge_point_id, csr, self._clock.now()
            )
        except CsrRefusedError as exc:
            log_security_event(
                SecurityEvent.INVALID_CERTIFICATE,
                f"CSR refused: {exc.message}",
                charge_point_id=charge_point_id,
            )
            return None
        await asyncio.to_thread(self._record, charge_point_id, signed, certificate_type)
        LOG.info(
            "signed a %s for charge point %s: serial %s, valid until %s",
            certificate_type,
            charge_point_id,
            signed.serial_hex,
            signed.not_after.isoformat(),
        )
        return signed.chain_pem

    def _record(self, charge_point_id: str, signed: SignedCertificate, kind: str) -> None:
        issued = IssuedCertificate(
            charge_point_id=charge_point_id,
            serial_hex=signed.serial_hex,
            sha256_fingerprint=signed.sha256_fingerprint,
            subject=signed.subject,
            certificate_type=kind,
            not_before=signed.not_before,
            not_after=signed.not_after,
            issued_at=self._clock.now(),
        )
        with self._database.transaction() as session:
            OcppSecurityRepository(session, self._clock).record_certificate(charge_point_id, issued)
