"""Token lifecycle: sign in once, refresh two minutes early, rotate, recover from revocation."""

from __future__ import annotations

import asyncio
import stat
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from wallbox_fakes import EMAIL, PASSWORD, FakeCloud

from chargebook.clock import FixedClock
from chargebook.crypto import load_secret_box
from chargebook.settings import load_settings
from chargebook.wallbox import (
    EncryptedFileTokenStore,
    MemoryTokenStore,
    Tokens,
    WallboxAuthenticationError,
    WallboxClient,
)

MakeClient = Callable[..., WallboxClient]


async def test_many_calls_sign_in_once(cloud: FakeCloud, client: WallboxClient) -> None:
    for _ in range(10):
        await client.get_status("9988552")
    assert cloud.sign_ins == 1
    assert cloud.refreshes == 0
    assert len(cloud.data_requests()) == 10


async def test_refresh_about_two_minutes_before_expiry_and_keep_the_rotated_token(
    cloud: FakeCloud, client: WallboxClient, clock: FixedClock
) -> None:
    await client.get_status("9988552")
    clock.advance(900 - 125)  # 125 s left: still used as is
    await client.get_status("9988552")
    assert cloud.refreshes == 0
    clock.advance(10)  # 115 s left: inside the 120 s margin, so refresh first
    await client.get_status("9988552")
    assert cloud.refreshes == 1
    assert cloud.requests[-1].headers["Authorization"] == "Bearer access-2"
    refresh_call = cloud.requests[-2]
    assert refresh_call.url.path == "/users/refresh-token"
    assert refresh_call.headers["Authorization"] == "Bearer refresh-1"
    assert refresh_call.headers["Partner"] == "wallbox"
    clock.advance(900)  # the second refresh must use the ROTATED token (refresh-1 is spent)
    await client.get_status("9988552")
    assert cloud.refreshes == 2
    assert cloud.sign_ins == 1


async def test_revoked_refresh_token_signs_in_again_once(
    cloud: FakeCloud, client: WallboxClient, clock: FixedClock
) -> None:
    await client.get_status("9988552")
    cloud.revoke_on_refresh = True
    clock.advance(900)
    await client.get_status("9988552")
    assert cloud.sign_ins == 2
    paths = [r.url.path for r in cloud.requests]
    assert paths.count("/users/refresh-token") == 1


async def test_expired_refresh_token_goes_straight_to_sign_in(
    cloud: FakeCloud, client: WallboxClient, clock: FixedClock
) -> None:
    await client.get_status("9988552")
    clock.advance(8 * 86400)
    await client.get_status("9988552")
    assert cloud.sign_ins == 2
    assert "/users/refresh-token" not in [r.url.path for r in cloud.requests]


async def test_401_on_a_data_call_reauthenticates_once_and_retries(
    cloud: FakeCloud, client: WallboxClient
) -> None:
    await client.get_status("9988552")
    cloud.access.clear()  # the server forgot every access token early
    status = await client.get_status("9988552")
    assert status.status_code == 210
    assert cloud.refreshes == 1
    assert cloud.sign_ins == 1


async def test_persistent_401_is_reported_after_one_reauthentication(
    cloud: FakeCloud, client: WallboxClient
) -> None:
    cloud.fail("GET", "/chargers/status/9988552", httpx.Response(401), httpx.Response(401))
    with pytest.raises(WallboxAuthenticationError):
        await client.get_status("9988552")
    assert len(cloud.data_requests()) == 2


async def test_wrong_password_is_an_authentication_error(make_client: MakeClient) -> None:
    wallbox = make_client(password="wrong")
    with pytest.raises(WallboxAuthenticationError) as info:
        await wallbox.list_chargers()
    assert info.value.status == 403
    assert info.value.retryable is False
    assert "wrong" not in str(info.value)


async def test_concurrent_first_calls_sign_in_once(cloud: FakeCloud, client: WallboxClient) -> None:
    await asyncio.gather(*(client.get_status("9988552") for _ in range(5)))
    assert cloud.sign_ins == 1


async def test_encrypted_token_store_round_trip_and_reuse_across_clients(
    cloud: FakeCloud, make_client: MakeClient, isolated_data_dir: Path
) -> None:
    store = EncryptedFileTokenStore.from_settings(load_settings())
    first = make_client(token_store=store)
    await first.get_status("9988552")
    path = store.path_for(EMAIL)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert EMAIL not in path.name
    content = path.read_text()
    assert "access-1" not in content
    assert "refresh-1" not in content
    # A new process: new store object, same key, no password at all.
    again = EncryptedFileTokenStore.from_settings(load_settings())
    second = make_client(token_store=again, password=None)
    await second.get_status("9988552")
    assert cloud.sign_ins == 1
    loaded = again.load(EMAIL)
    assert loaded is not None
    assert loaded.access_token == "access-1"
    assert load_secret_box(load_settings()).decrypt(content)  # really Fernet under our key


async def test_token_store_with_another_key_acts_as_empty(
    isolated_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens = Tokens("a", "r", 1, 2, user_id=7)
    EncryptedFileTokenStore.from_settings(load_settings()).save(EMAIL, tokens)
    assert EncryptedFileTokenStore.from_settings(load_settings()).load(EMAIL.upper()) == tokens
    monkeypatch.setenv("CHARGEBOOK_SECRET_KEY", "x" * 43 + "=")
    other = EncryptedFileTokenStore(
        isolated_data_dir / "wallbox-tokens",
        load_secret_box(load_settings()),
    )
    assert other.load(EMAIL) is None
    other.clear(EMAIL)
    assert not other.path_for(EMAIL).exists()


async def test_no_password_and_no_tokens_is_a_clear_authentication_error(
    make_client: MakeClient,
) -> None:
    wallbox = make_client(password=None, token_store=MemoryTokenStore())
    with pytest.raises(WallboxAuthenticationError, match="no password"):
        await wallbox.authenticate()


async def test_secrets_never_in_reprs(client: WallboxClient) -> None:
    await client.authenticate()
    tokens = client._tokens
    assert tokens is not None
    for text in (repr(tokens), str(tokens), repr(client)):
        assert "access-1" not in text
        assert "refresh-1" not in text
        assert PASSWORD not in text
