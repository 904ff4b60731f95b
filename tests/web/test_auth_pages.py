"""Sign-up, sign-in, sign-out, cookies, CSRF and the login rate limit, over HTTP."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from chargebook.account_sources import UNUSABLE_PASSWORD_HASH
from chargebook.db import UserRepository
from chargebook.web.cookies import PRESESSION_COOKIE, SESSION_COOKIE

from .helpers import PASSWORD, World, add_user, client_for, context_of, csrf_from


async def _form(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    assert page.status_code == 200
    return csrf_from(page.text)


async def _login(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    token = await _form(client, "/login")
    return await client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token, "next": "/"}
    )


async def test_signup_creates_an_owner_and_signs_in(app: FastAPI) -> None:
    async with client_for(app) as client:
        token = await _form(client, "/signup")
        response = await client.post(
            "/signup", data={"email": "New@Example.com", "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 303
        cookie = response.headers["set-cookie"]
        assert f"{SESSION_COOKIE}=" in cookie
        assert "HttpOnly" in cookie
        assert "samesite=lax" in cookie.lower()
        assert "Secure" not in cookie  # plain http in tests, web_cookie_secure=False
        home = await client.get("/")
        assert home.status_code == 200
        assert "new@example.com" in home.text
        assert "Your chargers" in home.text


async def test_session_cookie_is_secure_over_https(app: FastAPI) -> None:
    context_of(app).settings.web_cookie_secure = None  # auto: follow the request's scheme
    add_user(app, "a@example.com")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        response = await _login(client, "a@example.com", PASSWORD)
    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"]


async def test_session_id_is_stored_hashed(app: FastAPI) -> None:
    add_user(app, "a@example.com")
    async with client_for(app) as client:
        response = await _login(client, "a@example.com", PASSWORD)
        session_id = response.cookies[SESSION_COOKIE]
    with context_of(app).database.session() as session:
        stored = (
            session.execute(__import__("sqlalchemy").text("SELECT token_sha256 FROM web_sessions"))
            .scalars()
            .all()
        )
    assert session_id not in stored
    assert len(stored) == 1
    assert len(stored[0]) == 64


async def test_wrong_password_is_refused_without_saying_which(app: FastAPI) -> None:
    add_user(app, "a@example.com")
    async with client_for(app) as client:
        wrong = await _login(client, "a@example.com", "not the password")
        unknown = await _login(client, "nobody@example.com", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert "wrong e-mail address or password" in wrong.text
    assert "wrong e-mail address or password" in unknown.text
    assert SESSION_COOKIE not in wrong.cookies


async def test_logout_ends_the_session(world: World) -> None:
    owner = world.actors["owner_a"]
    assert (await owner.client.get("/")).status_code == 200
    response = await owner.client.post("/logout", data={"csrf_token": owner.csrf})
    assert response.status_code == 303
    stale = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=world.app), base_url="http://testserver"
    )
    # The old cookie no longer works even if a browser kept it.
    async with stale:
        stale.cookies.set(SESSION_COOKIE, owner.client.cookies.get(SESSION_COOKIE) or "x")
        again = await stale.get("/")
    assert again.status_code == 303
    assert again.headers["location"].startswith("/login")


async def test_anonymous_dashboard_redirects_to_login(app: FastAPI) -> None:
    async with client_for(app) as client:
        response = await client.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/"


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "\\\\evil"])
async def test_login_never_redirects_off_site(app: FastAPI, target: str) -> None:
    add_user(app, "a@example.com")
    async with client_for(app) as client:
        token = await _form(client, "/login")
        response = await client.post(
            "/login",
            data={"email": "a@example.com", "password": PASSWORD, "csrf_token": token,
                  "next": target},
        )  # fmt: skip
    assert response.headers["location"] == "/"


async def test_users_added_for_wallbox_accounts_cannot_sign_in(app: FastAPI) -> None:
    context = context_of(app)
    with context.database.transaction() as session:
        UserRepository(session, context.clock).create(
            email="cli@example.com", password_hash=UNUSABLE_PASSWORD_HASH
        )
    async with client_for(app) as client:
        for password in ("!", "", PASSWORD):
            response = await _login(client, "cli@example.com", password or "x")
            assert response.status_code == 401


# -- CSRF -----------------------------------------------------------------------------------


async def test_post_without_csrf_token_is_refused(world: World) -> None:
    owner = world.actors["owner_a"]
    response = await owner.client.post("/logout", data={})
    assert response.status_code == 403
    assert "reload the page" in response.text
    assert (await owner.client.get("/")).status_code == 200  # still signed in


async def test_csrf_token_of_another_session_is_refused(world: World) -> None:
    owner_a, owner_b = world.actors["owner_a"], world.actors["owner_b"]
    response = await owner_a.client.post("/logout", data={"csrf_token": owner_b.csrf})
    assert response.status_code == 403


async def test_login_form_needs_its_presession_token(app: FastAPI) -> None:
    add_user(app, "a@example.com")
    async with client_for(app) as client:
        page = await client.get("/login")
        assert PRESESSION_COOKIE in page.cookies
        forged = await client.post(
            "/login", data={"email": "a@example.com", "password": PASSWORD, "csrf_token": "0" * 64}
        )
        assert forged.status_code == 403
    async with client_for(app) as other:  # a token from another browser's page
        response = await other.post(
            "/login",
            data={"email": "a@example.com", "password": PASSWORD,
                  "csrf_token": csrf_from(page.text)},
        )  # fmt: skip
        assert response.status_code == 403


async def test_csrf_header_works_for_scripts(world: World) -> None:
    owner = world.actors["owner_a"]
    response = await owner.client.post("/logout", headers={"X-CSRF-Token": owner.csrf})
    assert response.status_code == 303


# The sign-in throttle and the sign-up setting: test_login_throttle.py.
