"""The CSR-signing CA on its own: what it signs (a charger's own CSR: CN = its id, O = the
CPO, RSA >= 2048 or EC P-256/P-384, a valid self-signature) and what it refuses, with CSRs
made in the test by `cryptography` as a charger's firmware makes them."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from chargebook.central_system.csr_signing import CsrRefusedError, CsrSigner
from chargebook.errors import ConfigurationError
from chargebook.settings import Settings

from .pki import CertificateAuthority, make_csr

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)  # certificates hold whole seconds


@pytest.fixture
def ca(tmp_path: Path) -> CertificateAuthority:
    return CertificateAuthority(tmp_path, "operator")


def _signer(ca: CertificateAuthority, **settings: object) -> CsrSigner:
    signer = CsrSigner.from_settings(
        Settings(ocpp_csr_ca_cert=ca.cert, ocpp_csr_ca_key=ca.key, **settings)  # type: ignore[arg-type]
    )
    assert signer is not None
    return signer


def test_signs_a_charger_csr_as_a_client_certificate_of_the_ca(ca: CertificateAuthority) -> None:
    csr, key = make_csr("CP-1")
    signed = _signer(ca, ocpp_cpo_name="chargebook tests").sign("CP-1", csr, NOW)
    leaf = x509.load_pem_x509_certificates(signed.chain_pem.encode())[0]
    ca_cert = x509.load_pem_x509_certificate(ca.cert.read_bytes())
    leaf.verify_directly_issued_by(ca_cert)  # raises if not
    assert leaf.public_key() == key.public_key()
    assert leaf.subject.rfc4514_string() == signed.subject
    assert "CN=CP-1" in signed.subject
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert signed.serial_hex == format(leaf.serial_number, "x")
    assert len(signed.sha256_fingerprint) == 64
    # Default validity one year, but never beyond the CA's own (30 days in the test PKI).
    assert signed.not_after == min(NOW + dt.timedelta(days=365), ca_cert.not_valid_after_utc)


def test_validity_is_configurable(ca: CertificateAuthority) -> None:
    csr, _ = make_csr("CP-1")
    signed = _signer(ca, ocpp_certificate_validity_days=3).sign("CP-1", csr, NOW)
    assert signed.not_after - NOW == dt.timedelta(days=3)


@pytest.mark.parametrize(
    ("common_name", "organisation", "key", "reason"),
    [
        ("CP-2", "chargebook tests", None, "CN ('CP-2') is not the charge point id"),
        ("CP-1", "Someone Else BV", None, "O is not the configured CPO name"),
        ("CP-1", None, None, "O is not the configured CPO name"),
        ("CP-1", "chargebook tests", "rsa1024", "RSA key has 1024 bits"),
        ("CP-1", "chargebook tests", "p224", "curve secp224r1 is not P-256 or P-384"),
    ],
)
def test_refuses_csrs_that_do_not_fit(
    ca: CertificateAuthority,
    common_name: str,
    organisation: str | None,
    key: str | None,
    reason: str,
) -> None:
    private = {
        None: None,
        "rsa1024": rsa.generate_private_key(65537, 1024),  # noqa: S505  # the weak key refused
        "p224": ec.generate_private_key(ec.SECP224R1()),
    }[key]
    csr, _ = make_csr(common_name, organisation=organisation, key=private)
    with pytest.raises(CsrRefusedError, match=re.escape(reason)):
        _signer(ca, ocpp_cpo_name="chargebook tests").sign("CP-1", csr, NOW)


def test_any_organisation_without_a_cpo_name_and_rsa_2048_signed(
    ca: CertificateAuthority,
) -> None:
    csr, _ = make_csr("CP-1", organisation=None, key=rsa.generate_private_key(65537, 2048))
    signed = _signer(ca).sign("CP-1", csr, NOW)
    assert signed.subject == "CN=CP-1"


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "not a csr",
        "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n",
        "x" * 5501,
    ],
)
def test_refuses_garbage(ca: CertificateAuthority, garbage: str) -> None:
    with pytest.raises(CsrRefusedError):
        _signer(ca).sign("CP-1", garbage, NOW)


def test_refuses_a_csr_whose_signature_does_not_verify(ca: CertificateAuthority) -> None:
    # The subject swapped after signing: someone else's CSR relabelled (a charger must hold
    # the key it asks a certificate for).
    csr_pem, _ = make_csr("CP-9")
    der = bytearray(
        x509.load_pem_x509_csr(csr_pem.encode()).public_bytes(serialization.Encoding.DER)
    )
    at = der.find(b"CP-9")
    der[at : at + 4] = b"CP-1"
    tampered = x509.load_der_x509_csr(bytes(der)).public_bytes(serialization.Encoding.PEM)
    with pytest.raises(CsrRefusedError, match="signature does not verify"):
        _signer(ca).sign("CP-1", tampered.decode(), NOW)


def test_settings_name_what_is_wrong(tmp_path: Path, ca: CertificateAuthority) -> None:
    assert CsrSigner.from_settings(Settings()) is None
    with pytest.raises(ConfigurationError, match="set both"):
        CsrSigner.from_settings(Settings(ocpp_csr_ca_cert=ca.cert))
    with pytest.raises(ConfigurationError, match="cannot read the CSR CA key"):
        CsrSigner.from_settings(
            Settings(ocpp_csr_ca_cert=ca.cert, ocpp_csr_ca_key=tmp_path / "missing.key")
        )
    other = CertificateAuthority(tmp_path, "other")
    with pytest.raises(ConfigurationError, match="does not belong"):
        CsrSigner.from_settings(Settings(ocpp_csr_ca_cert=ca.cert, ocpp_csr_ca_key=other.key))
    assert "PRIVATE" not in repr(_signer(ca))
