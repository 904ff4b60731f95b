"""Profile 2 behind a TLS-terminating reverse proxy (X-Forwarded-Proto from trusted addresses
only), the TLS settings' refusals, and the loopback default with its start-up notice."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from typer.testing import CliRunner
from websockets.exceptions import InvalidStatus

from chargebook.central_system import CentralSystem
from chargebook.central_system.tls import TransportSecurity, is_loopback, listening_notice
from chargebook.cli.app import app
from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.errors import ConfigurationError
from chargebook.settings import Settings

from .helpers import CP_ID, SECRET, basic, exchange, register
from .pki import CertificateAuthority

SECURITY = "chargebook.central_system.security"
BOOT = [2, "b1", "BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"}]


async def _behind_proxy(
    database: Database, clock: FixedClock, proxies: list[str]
) -> AsyncIterator[CentralSystem]:
    register(database, clock, CP_ID)
    settings = Settings(ocpp_security_profile=2, ocpp_trusted_proxies=proxies)
    system = CentralSystem(settings, database, clock=clock, response_timeout_s=2.0)
    system.port = await system.start("127.0.0.1", 0)  # type: ignore[attr-defined]
    yield system
    await system.close()


@pytest.fixture
async def proxied(database: Database, clock: FixedClock) -> AsyncIterator[CentralSystem]:
    async for system in _behind_proxy(database, clock, ["127.0.0.1"]):
        yield system


@pytest.fixture
async def proxied_elsewhere(database: Database, clock: FixedClock) -> AsyncIterator[CentralSystem]:
    async for system in _behind_proxy(database, clock, ["192.0.2.10"]):
        yield system


async def _open(central: CentralSystem, headers: dict[str, str]) -> object:
    from websockets.asyncio.client import connect

    return await connect(
        f"ws://127.0.0.1:{central.port}/ocpp/{CP_ID}",  # type: ignore[attr-defined]
        subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        additional_headers=headers,
    )


async def test_a_trusted_proxy_that_terminated_tls_lets_the_charger_in(
    proxied: CentralSystem,
) -> None:
    ws = await _open(proxied, {**basic(CP_ID, SECRET), "X-Forwarded-Proto": "https"})
    try:
        reply = await exchange(ws, BOOT)  # type: ignore[arg-type]
        assert reply[2]["status"] == "Accepted"
    finally:
        await ws.close()  # type: ignore[attr-defined]


async def test_plain_ws_through_the_proxy_is_refused(
    proxied: CentralSystem, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=SECURITY)
    for proto in (None, "http"):
        headers = basic(CP_ID, SECRET) | ({"X-Forwarded-Proto": proto} if proto else {})
        with pytest.raises(InvalidStatus) as refused:
            await _open(proxied, headers)
        assert refused.value.response.status_code == 403
    assert sum("InsecureTransport" in r.getMessage() for r in caplog.records) == 2


async def test_the_header_from_an_untrusted_peer_counts_for_nothing(
    proxied_elsewhere: CentralSystem, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=SECURITY)
    headers = {**basic(CP_ID, SECRET), "X-Forwarded-Proto": "https", "X-Forwarded-For": "1.2.3.4"}
    with pytest.raises(InvalidStatus) as refused:
        await _open(proxied_elsewhere, headers)
    assert refused.value.response.status_code == 403
    messages = [r.getMessage() for r in caplog.records if r.name == SECURITY]
    assert any("from 127.0.0.1" in m for m in messages), messages  # not the forged 1.2.3.4


def test_profiles_2_and_3_refuse_to_start_without_their_files(tmp_path: Path) -> None:
    ca = CertificateAuthority(tmp_path, "operator")
    server = ca.issue("localhost", server=True)
    with pytest.raises(ConfigurationError, match="CHARGEBOOK_OCPP_TLS_CERT"):
        TransportSecurity.from_settings(Settings(ocpp_security_profile=2))
    with pytest.raises(ConfigurationError, match="CHARGEBOOK_OCPP_TLS_CLIENT_CA"):
        TransportSecurity.from_settings(
            Settings(ocpp_security_profile=3, ocpp_tls_cert=server.cert, ocpp_tls_key=server.key)
        )
    with pytest.raises(ConfigurationError, match="both"):
        TransportSecurity.from_settings(Settings(ocpp_tls_cert=server.cert))
    with pytest.raises(ConfigurationError, match="cannot load") as bad:
        TransportSecurity.from_settings(
            Settings(ocpp_security_profile=2, ocpp_tls_cert=server.cert, ocpp_tls_key=ca.cert)
        )
    assert "PRIVATE KEY" not in bad.value.message
    # Profile 3 behind a proxy is not offered: the proxy would have to vouch for the certificate.
    with pytest.raises(ConfigurationError):
        TransportSecurity.from_settings(
            Settings(ocpp_security_profile=3, ocpp_trusted_proxies=["127.0.0.1"])
        )


def test_the_port_binds_to_loopback_by_default_and_says_so() -> None:
    settings = Settings()
    assert settings.ocpp_host == "127.0.0.1"
    notice = listening_notice(settings.ocpp_host, 8887, TransportSecurity.from_settings(settings))
    assert notice.startswith("OCPP central system on ws://127.0.0.1:8887/")
    assert "loopback only" in notice
    assert "CHARGEBOOK_OCPP_HOST" in notice
    lan = listening_notice("0.0.0.0", 8887, TransportSecurity.from_settings(settings))  # noqa: S104
    assert "loopback" not in lan
    assert is_loopback("::1")
    assert is_loopback("localhost")
    assert not is_loopback("192.168.1.20")


def test_cli_serve_stops_on_a_bad_tls_setup_with_the_setting_named(
    isolated_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHARGEBOOK_OCPP_SECURITY_PROFILE", "2")
    result = CliRunner().invoke(app, ["ocpp", "serve", "--port", "0"])
    assert result.exit_code != 0
    assert "CHARGEBOOK_OCPP_TLS_CERT" in result.output
    assert "Traceback" not in result.output
