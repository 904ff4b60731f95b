"""`/api/v1/webhooks` and `/api/v1/notifications`: scope, ownership, the secret shown once,
ping + deliveries log, SSRF refusal with the default settings, OpenAPI."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from fastapi import FastAPI
from pydantic import SecretStr

from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.domain.access import ApiScope
from chargebook.hooks.dispatch import dispatch_pass
from chargebook.hooks.policy import HookPolicy
from chargebook.settings import Settings
from web.helpers import World, build_world, context_of, make_app, sign_in

from .receiver import receiver


def _settings(data_dir: Path, *, allow_private: bool) -> Settings:
    return Settings(
        data_dir=data_dir,
        secret_key=SecretStr(Fernet.generate_key().decode()),
        web_cookie_secure=False,
        wallbox_api_url="http://wallbox-simulator.invalid",
        wallbox_auth_url="http://wallbox-simulator.invalid",
        webhook_allow_private_networks=allow_private,
    )


async def _world(settings: Settings, database: Database, clock: FixedClock) -> AsyncIterator[World]:
    app: FastAPI = make_app(settings, database, clock)
    async with app.router.lifespan_context(app):
        world = await build_world(app)
        yield world
        for actor in world.actors.values():
            await actor.client.aclose()


@pytest.fixture
async def dev_world(
    isolated_data_dir: Path, database: Database, clock: FixedClock
) -> AsyncIterator[World]:
    async for world in _world(_settings(isolated_data_dir, allow_private=True), database, clock):
        yield world


@pytest.fixture
async def strict_world(
    isolated_data_dir: Path, database: Database, clock: FixedClock
) -> AsyncIterator[World]:
    async for world in _world(_settings(isolated_data_dir, allow_private=False), database, clock):
        yield world


async def test_register_ping_and_read_the_deliveries(dev_world: World) -> None:
    owner, other = dev_world.actors["owner_a"], dev_world.actors["owner_b"]
    with receiver() as rx:
        created = await owner.client.post(
            "/api/v1/webhooks",
            json={"url": rx.url(), "events": ["session.completed", "payout.paid"]},
            headers=owner.bearer(),
        )
        assert created.status_code == 201, created.text
        hook = created.json()
        assert hook["secret"].startswith("whsec_")
        listed = await owner.client.get("/api/v1/webhooks", headers=owner.bearer())
        assert [h["id"] for h in listed.json()] == [hook["id"]]
        assert "secret" not in listed.json()[0]  # shown once, at creation
        assert (await other.client.get("/api/v1/webhooks", headers=other.bearer())).json() == []
        path = f"/api/v1/webhooks/{hook['id']}"
        assert (await other.client.post(path + "/ping", headers=other.bearer())).status_code == 404
        ping = await owner.client.post(path + "/ping", headers=owner.bearer())
        assert ping.status_code == 202
        context = context_of(dev_world.app)
        policy = HookPolicy.from_settings(context.settings)
        await dispatch_pass(context.database, context.clock, context.box, policy)
    [got] = rx.requests
    assert got.headers["X-Chargebook-Event"] == "ping"
    deliveries = (await owner.client.get(path + "/deliveries", headers=owner.bearer())).json()
    assert deliveries[0]["status"] == "delivered"
    assert deliveries[0]["history"][0]["status_code"] == 200
    assert (await other.client.delete(path, headers=other.bearer())).status_code == 404
    assert (await owner.client.delete(path, headers=owner.bearer())).status_code == 204
    assert (await owner.client.get("/api/v1/webhooks", headers=owner.bearer())).json() == []


async def test_private_targets_are_refused_by_default(strict_world: World) -> None:
    owner = strict_world.actors["owner_a"]
    for url in ("http://127.0.0.1:9/x", "https://169.254.169.254/", "https://10.0.0.1/"):
        answer = await owner.client.post(
            "/api/v1/webhooks", json={"url": url, "events": ["payout.paid"]}, headers=owner.bearer()
        )
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"] == "WebhookUrlError"
    unknown = await owner.client.post(
        "/api/v1/webhooks", json={"url": "https://example.com/", "events": ["nope"]},
        headers=owner.bearer(),
    )  # fmt: skip
    assert unknown.status_code == 422


async def test_the_scope_is_required(strict_world: World) -> None:
    owner = strict_world.actors["owner_a"]
    sign_in(strict_world.app, owner, scopes=frozenset({ApiScope.SESSIONS_READ}))
    assert (await owner.client.get("/api/v1/webhooks", headers=owner.bearer())).status_code == 403
    answer = await owner.client.get("/api/v1/notifications", headers=owner.bearer())
    assert answer.status_code == 403


async def test_notification_settings_over_the_api(strict_world: World) -> None:
    owner = strict_world.actors["owner_a"]
    put = await owner.client.put(
        "/api/v1/notifications",
        json={"urls": ["tgram://123456789:abcdefg_hijklmnop/12315544"], "enabled": ["payout_made"]},
        headers=owner.bearer(),
    )
    assert put.status_code == 200, put.text
    assert put.json() == {"url_count": 1, "enabled": ["payout_made"]}
    got = await owner.client.get("/api/v1/notifications", headers=owner.bearer())
    assert "tgram" not in got.text  # the URL holds a bot token: never shown again


def test_the_routes_are_in_the_openapi(strict_world: World) -> None:
    paths = strict_world.app.openapi()["paths"]
    for path in ("/api/v1/webhooks", "/api/v1/webhooks/{webhook_id}/deliveries",
                 "/api/v1/webhooks/{webhook_id}/ping", "/api/v1/notifications"):  # fmt: skip
        assert path in paths


async def test_the_settings_page_saves_urls_kinds_and_sends_a_test(dev_world: World) -> None:
    owner = dev_world.actors["owner_a"]
    page = await owner.client.get("/notifications")
    assert page.status_code == 200
    assert "No notification URL yet" in page.text
    with receiver() as inbox:
        url = f"json://127.0.0.1:{inbox.port}/page"
        saved = await owner.client.post(
            "/notifications",
            data={"csrf_token": owner.csrf, "urls": url, "replace_urls": "on",
                  "kinds": ["payout_made", "charger_offline"]},
        )  # fmt: skip
        assert saved.status_code == 303
        page = await owner.client.get("/notifications")
        assert "1 notification URL saved" in page.text
        assert str(inbox.port) not in page.text  # the URL is never shown back
        assert 'value="payout_made" checked' in page.text
        assert 'value="charging_finished" checked' not in page.text
        sent = await owner.client.post("/notifications/test", data={"csrf_token": owner.csrf})
        assert sent.headers["location"] == "/notifications?done=sent"
    [got] = inbox.requests
    assert got.path == "/page"
    assert json.loads(got.body)["message"] == "This is a test notification from chargebook."
