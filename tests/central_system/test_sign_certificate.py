"""SignCertificate end to end (use case A02), with charge points written with the `ocpp`
library (1.6 security extension and 2.0.1): over wss:// with Basic auth (profile 2) the
charger sends a CSR made with `cryptography`, gets Accepted, receives CertificateSigned, then
reconnects with profile 3 using the issued certificate and is accepted, after which profile 2
is refused (its minimum rose to 3). Bad CSRs and CSRs over plain ws:// are Rejected; a renewal
is asked with ExtendedTriggerMessage (1.6) / TriggerMessage (2.0.1)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from ocpp.routing import on
from ocpp.v16 import ChargePoint as ChargePoint16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v16.enums import Action as Action16
from ocpp.v201 import ChargePoint as ChargePoint201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from ocpp.v201.enums import Action as Action201
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from chargebook.central_system import CentralSystem
from chargebook.central_system.security_profiles import charger_security
from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.settings import Settings

from .helpers import CP_ID, SECRET, basic, register
from .pki import CertificateAuthority, client_context, make_csr, write_client

SECURITY = "chargebook.central_system.security"
CPO = "chargebook tests"
GARBAGE_CSR = "-----BEGIN CERTIFICATE REQUEST-----\nbm9wZQ==\n-----END CERTIFICATE REQUEST-----"


class Charger16(ChargePoint16):  # type: ignore[misc]
    """A 1.6 charger with the security extension's certificate handlers."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.chains: list[str] = []
        self.triggers: list[str] = []
        self.signed = asyncio.Event()

    @on(Action16.certificate_signed)
    def on_certificate_signed(self, certificate_chain: str) -> result16.CertificateSigned:
        self.chains.append(certificate_chain)
        self.signed.set()
        return result16.CertificateSigned(status="Accepted")

    @on(Action16.extended_trigger_message)
    def on_trigger(self, requested_message: str, **kwargs: Any) -> Any:
        self.triggers.append(requested_message)
        return result16.ExtendedTriggerMessage(status="Accepted")

    def sign_request(self, csr: str) -> Any:
        return call16.SignCertificate(csr=csr)

    def boot(self) -> Any:
        return call16.BootNotification(charge_point_vendor="V", charge_point_model="M")


class Station201(ChargePoint201):  # type: ignore[misc]
    """A 2.0.1 station with the certificate handlers."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.chains: list[str] = []
        self.triggers: list[str] = []
        self.signed = asyncio.Event()

    @on(Action201.certificate_signed)
    def on_certificate_signed(self, certificate_chain: str, **kwargs: Any) -> Any:
        assert kwargs.get("certificate_type") == "ChargingStationCertificate"
        self.chains.append(certificate_chain)
        self.signed.set()
        return result201.CertificateSigned(status="Accepted")

    @on(Action201.trigger_message)
    def on_trigger(self, requested_message: str, **kwargs: Any) -> Any:
        self.triggers.append(requested_message)
        return result201.TriggerMessage(status="Accepted")

    def sign_request(self, csr: str) -> Any:
        return call201.SignCertificate(csr=csr, certificate_type="ChargingStationCertificate")

    def boot(self) -> Any:
        return call201.BootNotification(
            charging_station={"vendor_name": "V", "model": "M"}, reason="PowerUp"
        )


VERSIONS = {"ocpp1.6": Charger16, "ocpp2.0.1": Station201}


@pytest.fixture
def ca(tmp_path: Path) -> CertificateAuthority:
    return CertificateAuthority(tmp_path, "operator")


@pytest.fixture
async def central(
    database: Database, clock: FixedClock, ca: CertificateAuthority
) -> AsyncIterator[CentralSystem]:
    """A profile 2 wss:// port whose client CA is also the CSR-signing CA: chargers move up
    to profile 3 on it."""
    register(database, clock, CP_ID)
    server = ca.issue("localhost", server=True)
    settings = Settings(
        ocpp_security_profile=2,
        ocpp_tls_cert=server.cert,
        ocpp_tls_key=server.key,
        ocpp_tls_client_ca=ca.cert,
        ocpp_csr_ca_cert=ca.cert,
        ocpp_csr_ca_key=ca.key,
        ocpp_cpo_name=CPO,
    )
    system = CentralSystem(settings, database, clock=clock, response_timeout_s=5.0)
    system.port = await system.start("127.0.0.1", 0)  # type: ignore[attr-defined]
    yield system
    await system.close()


@contextlib.asynccontextmanager
async def _charger(
    url: str, version: str, *, ssl: Any = None, password: str | None = SECRET
) -> AsyncIterator[Any]:
    headers = basic(CP_ID, password) if password else {}
    async with connect(
        url,
        ssl=ssl,
        subprotocols=[version],
        additional_headers=headers,  # type: ignore[list-item]
    ) as ws:
        charger = VERSIONS[version](CP_ID, ws)
        task = asyncio.create_task(charger.start())
        try:
            yield charger
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def _wss(central: CentralSystem) -> str:
    return f"wss://localhost:{central.port}/ocpp/{CP_ID}"  # type: ignore[attr-defined]


@pytest.mark.parametrize("version", ["ocpp1.6", "ocpp2.0.1"])
async def test_csr_signed_then_profile_3_with_the_issued_certificate(
    central: CentralSystem,
    database: Database,
    clock: FixedClock,
    ca: CertificateAuthority,
    tmp_path: Path,
    version: str,
) -> None:
    csr, key = make_csr(CP_ID, organisation=CPO)
    async with _charger(_wss(central), version, ssl=client_context(ca.cert)) as charger:
        result = await charger.call(charger.sign_request(csr))
        assert result.status == "Accepted"
        await asyncio.wait_for(charger.signed.wait(), 5)
    assert charger_security(database, clock, CP_ID).minimum_profile == 2
    issued = write_client(tmp_path, "cp1-issued", charger.chains[0], key)

    # Profile 3: the certificate alone, no password.
    client_tls = client_context(ca.cert, issued)
    async with _charger(_wss(central), version, ssl=client_tls, password=None) as charger:
        booted = await charger.call(charger.boot())
        assert booted.status == "Accepted"

    security = charger_security(database, clock, CP_ID)
    assert security.minimum_profile == 3
    leaf = x509.load_pem_x509_certificates(issued.cert.read_bytes())[0]
    [record] = security.certificates
    assert record.sha256_fingerprint == leaf.fingerprint(hashes.SHA256()).hex()
    assert record.serial_hex == format(leaf.serial_number, "x")
    assert record.not_after == leaf.not_valid_after_utc

    # Upgraded: the password over TLS (profile 2) no longer opens a connection.
    with pytest.raises(InvalidStatus) as refused:
        async with _charger(_wss(central), version, ssl=client_context(ca.cert)):
            pass
    assert refused.value.response.status_code == 403


@pytest.mark.parametrize("version", ["ocpp1.6", "ocpp2.0.1"])
@pytest.mark.parametrize(
    ("csr_kind", "reason"),
    [
        ("wrong_cn", "CN ('CP-2') is not the charge point id"),
        ("wrong_o", "O is not the configured CPO name"),
        ("garbage", "no PEM PKCS#10 request"),
    ],
)
async def test_bad_csrs_are_rejected_and_logged(
    central: CentralSystem,
    database: Database,
    clock: FixedClock,
    ca: CertificateAuthority,
    caplog: pytest.LogCaptureFixture,
    version: str,
    csr_kind: str,
    reason: str,
) -> None:
    csr = {
        "wrong_cn": make_csr("CP-2", organisation=CPO)[0],
        "wrong_o": make_csr(CP_ID, organisation="Mallory BV")[0],
        "garbage": GARBAGE_CSR,
    }[csr_kind]
    caplog.set_level(logging.WARNING, logger=SECURITY)
    async with _charger(_wss(central), version, ssl=client_context(ca.cert)) as charger:
        result = await charger.call(charger.sign_request(csr))
        assert result.status == "Rejected"
        await asyncio.sleep(0.2)
        assert charger.chains == []
    events = [r.getMessage() for r in caplog.records if r.name == SECURITY]
    assert any("InvalidChargePointCertificate" in e and reason in e for e in events), events
    assert not any("BEGIN" in e for e in events)  # never the CSR itself
    assert charger_security(database, clock, CP_ID).certificates == []


@pytest.mark.parametrize("version", ["ocpp1.6", "ocpp2.0.1"])
async def test_csr_over_plain_ws_is_rejected(
    database: Database,
    clock: FixedClock,
    ca: CertificateAuthority,
    caplog: pytest.LogCaptureFixture,
    version: str,
) -> None:
    register(database, clock, CP_ID)
    settings = Settings(ocpp_csr_ca_cert=ca.cert, ocpp_csr_ca_key=ca.key)  # profile 1, ws://
    caplog.set_level(logging.WARNING, logger=SECURITY)
    async with CentralSystem(settings, database, clock=clock, response_timeout_s=5.0) as system:
        port = await system.start("127.0.0.1", 0)
        async with _charger(f"ws://127.0.0.1:{port}/ocpp/{CP_ID}", version) as charger:
            result = await charger.call(charger.sign_request(make_csr(CP_ID)[0]))
            assert result.status == "Rejected"
    events = [r.getMessage() for r in caplog.records if r.name == SECURITY]
    assert any("signed only over TLS" in e for e in events), events
    assert charger_security(database, clock, CP_ID).certificates == []


@pytest.mark.parametrize(
    ("version", "asked"),
    [("ocpp1.6", "SignChargePointCertificate"), ("ocpp2.0.1", "SignChargingStationCertificate")],
)
async def test_renewal_is_asked_with_the_versions_trigger(
    central: CentralSystem, ca: CertificateAuthority, version: str, asked: str
) -> None:
    async with _charger(_wss(central), version, ssl=client_context(ca.cert)) as charger:
        for _ in range(50):
            if central.is_connected(CP_ID):
                break
            await asyncio.sleep(0.02)
        await central.renew_certificate(CP_ID)
        assert charger.triggers == [asked]
