"""The CSR-signing CA for SignCertificate (OCPP 1.6 security whitepaper use case A02; 2.0.1
A02/A03 with certificateType ChargingStationCertificate).

A charger generates its own key pair and sends a PKCS#10 CSR; chargebook checks it and signs a
client certificate with the configured CA (`ocpp_csr_ca_cert` / `ocpp_csr_ca_key`). Checked:
the PEM parses as one CSR, its self-signature verifies (the charger holds the key), the CN is
the charge point id (A00.FR.405; else one charger could get a certificate for another), the O
is the configured CPO name when one is set (A00.FR.404/509), and the key is RSA >= 2048 bits
or EC P-256/P-384 (A00.FR.502/503 allow EC >= 224; P-224 is left out as too weak for a
certificate that lives a year). Only the subject is taken from the CSR: requested extensions
(e.g. a CA flag) are ignored, the certificate gets client-auth usage only.

The certificate is signed with the CA key's own family (ECDSA with SHA-256 for P-256,
SHA-384 for P-384/P-521, RSA PKCS#1 v1.5 with SHA-256); SteVe keeps one CA per family, this
keeps one CA.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from chargebook.errors import ChargebookError, ConfigurationError
from chargebook.settings import Settings

MAX_CSR_CHARS = 5500  # SignCertificate.req csr string[0..5500]
_CURVES = {"secp256r1", "secp384r1"}
_MIN_RSA_BITS = 2048
_BACKDATE = dt.timedelta(minutes=5)  # a charger's clock a little behind still accepts it

CaKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class CsrRefusedError(ChargebookError):
    """A CSR chargebook will not sign; the message says why (never the CSR itself)."""


@dataclass(frozen=True, slots=True)
class SignedCertificate:
    """A signed certificate: the PEM chain to send, and the facts the book keeps."""

    chain_pem: str
    serial_hex: str
    sha256_fingerprint: str
    subject: str
    not_before: dt.datetime
    not_after: dt.datetime


class CsrSigner:
    """Checks and signs CSRs with one CA."""

    def __init__(
        self,
        ca_certificate: x509.Certificate,
        ca_key: CaKey,
        *,
        intermediates: tuple[x509.Certificate, ...] = (),
        cpo_name: str | None = None,
        validity: dt.timedelta = dt.timedelta(days=365),
    ) -> None:
        self._ca = ca_certificate
        self._key = ca_key
        self._intermediates = intermediates
        self._cpo_name = cpo_name
        self._validity = validity

    def __repr__(self) -> str:  # never the key
        return f"CsrSigner(ca={self.ca_name!r})"

    @property
    def ca_name(self) -> str:
        """The signing CA's subject (RFC 4514)."""
        return self._ca.subject.rfc4514_string()

    @classmethod
    def from_settings(cls, settings: Settings) -> CsrSigner | None:
        """The configured signer, or None when no CSR CA is configured.

        Raises:
            ConfigurationError: only one of the two files set, or one cannot be read.
        """
        cert_path, key_path = settings.ocpp_csr_ca_cert, settings.ocpp_csr_ca_key
        if cert_path is None and key_path is None:
            return None
        if cert_path is None or key_path is None:
            raise ConfigurationError(
                "set both CHARGEBOOK_OCPP_CSR_CA_CERT and CHARGEBOOK_OCPP_CSR_CA_KEY, or neither"
            )
        certificates = _load_certificates(cert_path)
        key = _load_key(key_path)
        if certificates[0].public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ) != key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ):
            raise ConfigurationError(
                f"the CSR CA key {key_path} does not belong to the certificate {cert_path}"
            )
        return cls(
            certificates[0],
            key,
            intermediates=tuple(c for c in certificates[1:] if c.issuer != c.subject),
            cpo_name=settings.ocpp_cpo_name or None,
            validity=dt.timedelta(days=settings.ocpp_certificate_validity_days),
        )

    def sign(self, charge_point_id: str, csr_pem: str, now: dt.datetime) -> SignedCertificate:
        """A client certificate for `charge_point_id` from its CSR.

        Raises:
            CsrRefusedError: the CSR is malformed, not self-signed, names another charger or
                CPO, or its key is too weak.
        """
        csr = self._checked(charge_point_id, csr_pem)
        not_before = now - _BACKDATE
        not_after = min(now + self._validity, self._ca.not_valid_after_utc)
        public_key = csr.public_key()
        usage_ec = isinstance(public_key, ec.EllipticCurvePublicKey)
        builder = (
            x509.CertificateBuilder()
            .subject_name(csr.subject)
            .issuer_name(self._ca.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=not usage_ec,
                    data_encipherment=False,
                    key_agreement=usage_ec,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()),
                critical=False,
            )
        )
        certificate = builder.sign(self._key, _hash_for(self._key))
        chain = [certificate, *self._intermediates]
        pem = "".join(c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in chain)
        return SignedCertificate(
            chain_pem=pem,
            serial_hex=format(certificate.serial_number, "x"),
            sha256_fingerprint=certificate.fingerprint(hashes.SHA256()).hex(),
            subject=certificate.subject.rfc4514_string(),
            not_before=certificate.not_valid_before_utc,
            not_after=certificate.not_valid_after_utc,
        )

    def _checked(self, charge_point_id: str, csr_pem: str) -> x509.CertificateSigningRequest:
        if not csr_pem or len(csr_pem) > MAX_CSR_CHARS:
            raise CsrRefusedError(f"the CSR is empty or longer than {MAX_CSR_CHARS} characters")
        try:
            csr = x509.load_pem_x509_csr(csr_pem.encode("utf-8"))
            signature_ok = csr.is_signature_valid
            public_key = csr.public_key()
        except (ValueError, UnsupportedAlgorithm, UnicodeEncodeError):
            raise CsrRefusedError("the CSR is no PEM PKCS#10 request") from None
        if not signature_ok:
            raise CsrRefusedError("the CSR's signature does not verify")
        common_names = _attribute(csr.subject, NameOID.COMMON_NAME)
        if common_names != [charge_point_id]:
            shown = ", ".join(repr(name) for name in common_names) or "none"
            raise CsrRefusedError(f"the CSR's CN ({shown}) is not the charge point id")
        if self._cpo_name is not None:
            organisations = _attribute(csr.subject, NameOID.ORGANIZATION_NAME)
            if organisations != [self._cpo_name]:
                raise CsrRefusedError("the CSR's O is not the configured CPO name")
        _check_key(public_key)
        return csr


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> list[str]:
    return [str(attribute.value) for attribute in name.get_attributes_for_oid(oid)]


def _check_key(public_key: object) -> None:
    if isinstance(public_key, rsa.RSAPublicKey):
        if public_key.key_size < _MIN_RSA_BITS:
            raise CsrRefusedError(
                f"the CSR's RSA key has {public_key.key_size} bits (at least {_MIN_RSA_BITS})"
            )
        return
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        if public_key.curve.name not in _CURVES:
            raise CsrRefusedError(
                f"the CSR's EC curve {public_key.curve.name} is not P-256 or P-384"
            )
        return
    raise CsrRefusedError("the CSR's key is neither RSA nor EC P-256/P-384")


def _hash_for(key: CaKey) -> hashes.SHA256 | hashes.SHA384:
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.key_size > 256:
        return hashes.SHA384()
    return hashes.SHA256()


def _load_certificates(path: Path) -> list[x509.Certificate]:
    try:
        certificates = x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ConfigurationError(
            f"cannot read the CSR CA certificate {path}: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    return certificates


def _load_key(path: Path) -> CaKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError, UnsupportedAlgorithm) as exc:
        # The reason, never the file's content.
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise ConfigurationError(
            f"cannot read the CSR CA key {path} (an unencrypted PEM key): {reason}"
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ConfigurationError(f"the CSR CA key {path} is not an RSA or EC key")
    return key
