"""The address chargers dial: `CHARGEBOOK_OCPP_PUBLIC_URL` when set, else the browser's host
name with a warning when that is this computer's own (no charger can dial 127.0.0.1)."""

from __future__ import annotations

import httpx
import pytest
from pydantic import ValidationError

from chargebook.ocpp_registration import ocpp_address
from chargebook.settings import Settings

from .helpers import World, client_for, context_of, sign_in

PUBLIC = "wss://ocpp.example.nl/cs/"


def test_the_setting_is_read_from_the_environment_and_ends_in_a_slash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CHARGEBOOK_OCPP_PUBLIC_URL", "ws://192.168.1.20:8887")
    assert Settings().ocpp_public_url == "ws://192.168.1.20:8887/"
    monkeypatch.setenv("CHARGEBOOK_OCPP_PUBLIC_URL", "")
    assert Settings().ocpp_public_url is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("http://192.168.1.20:8887/", "not a ws:// or wss:// URL"),
        ("ws://192.168.1.20:99999/", "not a URL"),
        ("ws:///nohost", "not a ws:// or wss:// URL"),
        ("ws://192.168.1.20:8887/?x=1", "no ?query"),
    ],
)
def test_a_bad_address_is_refused_at_start_up_with_an_example(value: str, problem: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(ocpp_public_url=value)
    assert problem in str(raised.value)
    assert "ws://192.168.1.20:8887/" in str(raised.value)


def test_the_guess_from_the_browsers_host() -> None:
    settings = Settings(ocpp_port=9000)
    lan = ocpp_address(settings, "192.168.1.20")
    assert (lan.base, lan.configured, lan.reachable_guess) == (
        "ws://192.168.1.20:9000/",
        False,
        True,
    )
    for loopback in ("127.0.0.1", "localhost", "::1", None, "127.0.1.1"):
        assert not ocpp_address(settings, loopback).reachable_guess, loopback
    assert ocpp_address(settings, "fe80::1").base == "ws://[fe80::1]:9000/"
    configured = ocpp_address(Settings(ocpp_public_url=PUBLIC), "127.0.0.1")
    assert (configured.base, configured.configured) == (PUBLIC, True)
    assert configured.for_charge_point("garage-1") == PUBLIC + "garage-1"


def _local_client(world: World) -> httpx.AsyncClient:
    """The owner's browser on the same computer, at http://127.0.0.1."""
    owner = world.actors["owner_a"]
    client = client_for(world.app, "127.0.0.1")
    client.base_url = httpx.URL("http://127.0.0.1")
    owner.client = client
    sign_in(world.app, owner)
    return client


async def test_a_loopback_guess_warns_and_names_the_setting(world: World) -> None:
    client = _local_client(world)
    page = await client.get("/connect/ocpp")
    assert page.status_code == 200
    assert "ws://127.0.0.1:8887/" in page.text
    assert 'data-testid="ocpp-address-warning"' in page.text
    assert "CHARGEBOOK_OCPP_PUBLIC_URL" in page.text


async def test_the_configured_address_is_shown_and_given_to_the_charger(world: World) -> None:
    context = context_of(world.app)
    context.settings = context.settings.model_copy(update={"ocpp_public_url": PUBLIC})
    client = _local_client(world)
    owner = world.actors["owner_a"]
    page = await client.get("/connect/ocpp")
    assert f"{PUBLIC}&lt;charge point id&gt;" in page.text
    assert "ws://127.0.0.1" not in page.text
    assert 'data-testid="ocpp-address-warning"' not in page.text
    done = await client.post(
        "/connect/ocpp", data={"charge_point_id": "garage-9", "csrf_token": owner.csrf}
    )
    assert done.status_code == 200, done.text
    assert f'data-testid="ocpp-url">{PUBLIC}garage-9<' in done.text
