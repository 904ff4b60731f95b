"""The package's public surface, settings wiring and the no-secrets-in-logs rule."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from wallbox_fakes import EMAIL, PASSWORD, FakeCloud

import chargebook.wallbox as wallbox_package
from chargebook.clock import FixedClock
from chargebook.domain.ports import ChargerCloud, ChargerControl
from chargebook.errors import ConfigurationError
from chargebook.settings import load_settings
from chargebook.wallbox import EncryptedFileTokenStore, WallboxClient
from chargebook.wallbox.control import WallboxControl


def test_exported_members_are_pinned() -> None:
    assert set(wallbox_package.__all__) == {
        "BudgetRegistry",
        "EncryptedFileTokenStore",
        "MemoryTokenStore",
        "RemoteAction",
        "RequestBudget",
        "RequestKind",
        "SessionPage",
        "TokenStore",
        "Tokens",
        "WallboxAuthenticationError",
        "WallboxClient",
        "WallboxConnectionError",
        "WallboxError",
        "WallboxInsufficientRightsError",
        "WallboxNotFoundError",
        "WallboxPayloadError",
        "WallboxRateLimitedError",
        "WallboxRequestError",
        "WallboxUnsafeActionError",
        "WallboxWriteUnconfirmedError",
        "state_for",
        "time_windows",
    }
    assert 4 not in {int(a) for a in wallbox_package.RemoteAction}  # no factory reset


def test_client_satisfies_the_cloud_port_and_its_adapter_the_control_port(
    client: WallboxClient,
) -> None:
    assert isinstance(client, ChargerCloud)
    assert isinstance(WallboxControl(client), ChargerControl)


async def test_from_settings(
    monkeypatch: pytest.MonkeyPatch, isolated_data_dir: Path, cloud: FakeCloud, clock: FixedClock
) -> None:
    monkeypatch.setenv("CHARGEBOOK_WALLBOX_EMAIL", EMAIL)
    monkeypatch.setenv("CHARGEBOOK_WALLBOX_PASSWORD", PASSWORD)
    monkeypatch.setenv("CHARGEBOOK_WALLBOX_API_URL", "http://wallbox.test/")
    monkeypatch.setenv("CHARGEBOOK_WALLBOX_AUTH_URL", "http://wallbox.test")
    monkeypatch.setenv("CHARGEBOOK_WALLBOX_PARTNER_MODE", "true")
    http = httpx.AsyncClient(transport=httpx.MockTransport(cloud.handler))
    async with WallboxClient.from_settings(load_settings(), http_client=http, clock=clock) as wb:
        assert wb.api_url == "http://wallbox.test"
        assert wb.budget.unlimited
        await wb.get_status("9988552")
    assert not http.is_closed  # a caller's client stays open
    await http.aclose()
    store = EncryptedFileTokenStore.from_settings(load_settings())
    assert store.load(EMAIL) is not None


def test_from_settings_without_email_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CHARGEBOOK_WALLBOX_EMAIL", raising=False)
    with pytest.raises(ConfigurationError, match="e-mail"):
        WallboxClient.from_settings(load_settings())


async def test_own_http_client_is_closed(clock: FixedClock) -> None:
    wb = WallboxClient(EMAIL, PASSWORD, clock=clock)
    async with wb:
        pass
    assert wb._http.is_closed


async def test_debug_logs_name_method_path_status_but_no_secrets(
    cloud: FakeCloud, client: WallboxClient, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="chargebook.wallbox")
    await client.get_status("9988552")
    clock.advance(800)  # forces a refresh
    cloud.fail("GET", "/chargers/status/9988552", httpx.Response(500))
    await client.get_status("9988552")
    text = caplog.text
    assert "GET /chargers/status/9988552 -> 200" in text
    for secret in (PASSWORD, "access-1", "refresh-1", "access-2", "refresh-2"):
        assert secret not in text
