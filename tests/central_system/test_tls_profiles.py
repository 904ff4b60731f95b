"""Security profiles 2 and 3 against the real central system on loopback (wss://), with
certificates made in the test (`pki.py`): who gets in, who is refused at which step, and that
each refusal is a security event in the log without the secret.

OCTT's CSMS cases this follows (reference §5.1): TC_A_01 valid Basic auth, TC_A_02 username
not the id, TC_A_03 invalid password, TC_A_06 TLS version too low, TC_A_07 / TC_A_08 client
certificate valid / invalid.
"""

from __future__ import annotations

import logging
import ssl
import warnings
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from chargebook.central_system import CentralSystem
from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.settings import Settings

from .helpers import CP_ID, SECRET, basic, exchange, register
from .pki import CertificateAuthority, Issued, client_context

SECURITY = "chargebook.central_system.security"
BOOT = [2, "b1", "BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"}]


@pytest.fixture
def pki(tmp_path: Path) -> dict[str, object]:
    ca = CertificateAuthority(tmp_path, "operator")
    other = CertificateAuthority(tmp_path, "stranger")
    return {
        "ca": ca,
        "server": ca.issue("localhost", server=True),
        "cp1": ca.issue(CP_ID),
        "cp2": ca.issue("CP-2"),
        "foreign_cp1": other.issue(CP_ID),
    }


async def _central(
    database: Database, clock: FixedClock, settings: Settings
) -> AsyncIterator[CentralSystem]:
    register(database, clock, CP_ID)
    system = CentralSystem(settings, database, clock=clock, response_timeout_s=2.0)
    system.port = await system.start("127.0.0.1", 0)  # type: ignore[attr-defined]
    yield system
    await system.close()


@pytest.fixture
async def profile2(
    database: Database, clock: FixedClock, pki: dict[str, object]
) -> AsyncIterator[CentralSystem]:
    server = pki["server"]
    assert isinstance(server, Issued)
    settings = Settings(ocpp_security_profile=2, ocpp_tls_cert=server.cert, ocpp_tls_key=server.key)
    async for system in _central(database, clock, settings):
        yield system


@pytest.fixture
async def profile3(
    database: Database, clock: FixedClock, pki: dict[str, object]
) -> AsyncIterator[CentralSystem]:
    server, ca = pki["server"], pki["ca"]
    assert isinstance(server, Issued)
    assert isinstance(ca, CertificateAuthority)
    settings = Settings(
        ocpp_security_profile=3,
        ocpp_tls_cert=server.cert,
        ocpp_tls_key=server.key,
        ocpp_tls_client_ca=ca.cert,
    )
    async for system in _central(database, clock, settings):
        yield system


def _wss(central: CentralSystem, charge_point_id: str = CP_ID) -> str:
    return f"wss://localhost:{central.port}/ocpp/{charge_point_id}"  # type: ignore[attr-defined]


def _ca(pki: dict[str, object]) -> Path:
    ca = pki["ca"]
    assert isinstance(ca, CertificateAuthority)
    return ca.cert


def _cert(pki: dict[str, object], name: str) -> Issued:
    issued = pki[name]
    assert isinstance(issued, Issued)
    return issued


def _events(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == SECURITY]


# -- profile 2: TLS + Basic auth --------------------------------------------------------------


async def test_profile2_good_password_over_tls(
    profile2: CentralSystem, pki: dict[str, object]
) -> None:
    async with connect(
        _wss(profile2),
        ssl=client_context(_ca(pki)),
        subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        additional_headers=basic(CP_ID, SECRET),
    ) as ws:
        assert ws.subprotocol == "ocpp1.6"
        ssl_object = ws.transport.get_extra_info("ssl_object")
        assert ssl_object.version() in ("TLSv1.2", "TLSv1.3")
        reply = await exchange(ws, BOOT)
        assert reply[2]["status"] == "Accepted"


@pytest.mark.parametrize(
    ("user", "password", "detail"),
    [
        (CP_ID, "wrong-password-0123456789", "wrong password"),
        ("CP-2", SECRET, "username is not the charge point id"),
        (None, None, "no password"),
    ],
)
async def test_profile2_refuses_bad_credentials_with_401_and_logs_it(
    profile2: CentralSystem,
    pki: dict[str, object],
    caplog: pytest.LogCaptureFixture,
    user: str | None,
    password: str | None,
    detail: str,
) -> None:
    caplog.set_level(logging.WARNING, logger=SECURITY)
    headers = basic(user, password) if user and password else {}
    with pytest.raises(InvalidStatus) as refused:
        await connect(
            _wss(profile2),
            ssl=client_context(_ca(pki)),
            subprotocols=["ocpp1.6"],  # type: ignore[list-item]
            additional_headers=headers,
        )
    assert refused.value.response.status_code == 401
    events = _events(caplog)
    assert any("FailedToAuthenticateAtCentralSystem" in e and detail in e for e in events), events
    if password:
        assert all(password not in e for e in events)  # the secret never reaches the log


async def test_profile2_refuses_an_empty_password_even_where_the_record_allows_it(
    profile2: CentralSystem,
    pki: dict[str, object],
    database: Database,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger=SECURITY)
    register(database, clock, "CP-OPEN", None, allow_empty_password=True)
    with pytest.raises(InvalidStatus) as refused:
        await connect(
            _wss(profile2, "CP-OPEN"),
            ssl=client_context(_ca(pki)),
            subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        )
    assert refused.value.response.status_code == 401
    assert any("profile 2 requires one" in e for e in _events(caplog)), _events(caplog)


def test_the_connect_page_guesses_wss_for_profile_2() -> None:
    from chargebook.ocpp_registration import ocpp_address

    address = ocpp_address(Settings(ocpp_security_profile=2), "192.168.1.20")
    assert address.base == "wss://192.168.1.20:8887/"


async def test_profile2_refuses_plain_ws_on_the_tls_port(
    profile2: CentralSystem, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=SECURITY)
    with pytest.raises(Exception) as refused:  # noqa: PT011  (whatever a torn connection raises)
        await connect(
            f"ws://127.0.0.1:{profile2.port}/ocpp/{CP_ID}",  # type: ignore[attr-defined]
            subprotocols=["ocpp1.6"],  # type: ignore[list-item]
            additional_headers=basic(CP_ID, SECRET),
            open_timeout=5,
        )
    assert not isinstance(refused.value, InvalidStatus)  # no HTTP answer at all
    assert any("InvalidTLSHandshake" in e for e in _events(caplog)), _events(caplog)
    assert profile2.connected_ids() == []


async def test_profile2_refuses_tls_below_1_2(
    profile2: CentralSystem, pki: dict[str, object], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=SECURITY)
    # Ours, not only the system's OpenSSL policy (Debian's already refuses TLS 1.1 itself).
    server_context = profile2.security.context
    assert server_context is not None
    assert server_context.minimum_version == ssl.TLSVersion.TLSv1_2
    assert server_context.options & ssl.OP_NO_COMPRESSION
    context = client_context(_ca(pki))
    try:
        with warnings.catch_warnings():  # TLS 1.1 is deprecated: that is the point
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.TLSv1_1
            context.maximum_version = ssl.TLSVersion.TLSv1_1
        context.set_ciphers("DEFAULT@SECLEVEL=0")
    except (ValueError, ssl.SSLError):
        pytest.skip("this OpenSSL cannot even offer TLS 1.1")
    with pytest.raises((ssl.SSLError, OSError)):
        await connect(
            _wss(profile2),
            ssl=context,
            subprotocols=["ocpp1.6"],  # type: ignore[list-item]
            additional_headers=basic(CP_ID, SECRET),
            open_timeout=5,
        )
    events = _events(caplog)
    assert any("InvalidTLSVersion" in e and "protocol" in e.lower() for e in events), events
    assert profile2.connected_ids() == []


# -- profile 3: TLS + client certificates -----------------------------------------------------


async def test_profile3_good_certificate_needs_no_password(
    profile3: CentralSystem, pki: dict[str, object]
) -> None:
    async with connect(
        _wss(profile3),
        ssl=client_context(_ca(pki), _cert(pki, "cp1")),
        subprotocols=["ocpp1.6"],  # type: ignore[list-item]
    ) as ws:
        reply = await exchange(ws, BOOT)
        assert reply[2]["status"] == "Accepted"
        assert profile3.connected_ids() == [CP_ID]


async def test_profile3_refuses_another_charge_points_certificate(
    profile3: CentralSystem, pki: dict[str, object], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=SECURITY)
    with pytest.raises(InvalidStatus) as refused:
        await connect(
            _wss(profile3),  # CP-1's URL ...
            ssl=client_context(_ca(pki), _cert(pki, "cp2")),  # ... with CP-2's certificate
            subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        )
    assert refused.value.response.status_code == 403
    events = _events(caplog)
    assert any("InvalidChargePointCertificate" in e and "'CP-2'" in e for e in events), events


@pytest.mark.parametrize("client", ["foreign_cp1", None], ids=["other-ca", "no-cert"])
async def test_profile3_refuses_at_the_tls_handshake(
    profile3: CentralSystem,
    pki: dict[str, object],
    caplog: pytest.LogCaptureFixture,
    client: str | None,
) -> None:
    caplog.set_level(logging.WARNING, logger=SECURITY)
    context = client_context(_ca(pki), _cert(pki, client) if client else None)
    with pytest.raises(Exception) as refused:  # noqa: PT011  (TLS 1.3: the alert comes on read)
        await connect(
            _wss(profile3),
            ssl=context,
            subprotocols=["ocpp1.6"],  # type: ignore[list-item]
            additional_headers=basic(CP_ID, SECRET),  # a password does not replace the cert
            open_timeout=5,
        )
    assert not isinstance(refused.value, InvalidStatus)  # never got as far as HTTP
    events = _events(caplog)
    assert any("InvalidChargePointCertificate" in e for e in events), events
    assert profile3.connected_ids() == []


async def test_profile3_refuses_plain_ws(
    profile3: CentralSystem, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=SECURITY)
    with pytest.raises(Exception) as refused:  # noqa: PT011
        await connect(
            f"ws://127.0.0.1:{profile3.port}/ocpp/{CP_ID}",  # type: ignore[attr-defined]
            subprotocols=["ocpp1.6"],  # type: ignore[list-item]
            open_timeout=5,
        )
    assert not isinstance(refused.value, InvalidStatus)
    assert any("InvalidTLSHandshake" in e for e in _events(caplog)), _events(caplog)
