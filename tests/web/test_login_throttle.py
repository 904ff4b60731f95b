"""Sign-in throttling per account and client with growing delays (no lockout anyone can cause),
the per-account ceiling, the per-client ceiling, and the sign-up setting with its rate limit."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from chargebook.clock import FixedClock
from chargebook.db.accounts.tables import LoginFailureRow
from chargebook.settings import Settings
from chargebook.web.login_throttle import delay_s

from .helpers import PASSWORD, add_user, context_of, csrf_from, make_app


def _client(app: FastAPI, ip: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(ip, 5555)), base_url="http://testserver"
    )


async def _login(app: FastAPI, ip: str, email: str, password: str) -> httpx.Response:
    async with _client(app, ip) as client:
        token = csrf_from((await client.get("/login")).text)
        data = {"email": email, "password": password, "csrf_token": token}
        return await client.post("/login", data=data)


def _clock(app: FastAPI) -> FixedClock:
    clock = context_of(app).clock
    assert isinstance(clock, FixedClock)
    return clock


ATTACKER, OWNER = "203.0.113.66", "198.51.100.7"


def test_delays_double_after_the_free_failures_and_are_capped() -> None:
    assert [delay_s(n, 3, 900) for n in range(8)] == [0, 0, 0, 1, 2, 4, 8, 16]
    assert delay_s(40, 3, 900) == 900
    assert delay_s(10_000, 10, 30) == 30


async def test_one_client_guessing_waits_longer_and_longer(app: FastAPI) -> None:
    add_user(app, "a@example.com")
    clock = _clock(app)
    for _ in range(3):  # the free ones
        assert (await _login(app, ATTACKER, "a@example.com", "guess")).status_code == 401
    waits = []
    for _ in range(4):
        refused = await _login(app, ATTACKER, "a@example.com", PASSWORD)  # even the right one
        assert refused.status_code == 429
        assert "too many failed sign-ins" in refused.text
        waits.append(int(refused.headers["Retry-After"]))
        clock.advance(timedelta(seconds=waits[-1]))
        assert (await _login(app, ATTACKER, "a@example.com", "guess")).status_code == 401
    assert waits == [1, 2, 4, 8]
    clock.advance(timedelta(seconds=16))
    assert (await _login(app, ATTACKER, "a@example.com", PASSWORD)).status_code == 303


async def test_a_guesser_never_locks_the_owner_out(app: FastAPI) -> None:
    add_user(app, "a@example.com")
    clock = _clock(app)
    for _ in range(9):  # below the account ceiling, far above the client's free tries
        response = await _login(app, ATTACKER, "a@example.com", "guess")
        assert response.status_code in (401, 429)
        clock.advance(timedelta(seconds=int(response.headers.get("Retry-After", 0))))
    assert (await _login(app, ATTACKER, "a@example.com", "guess")).status_code == 429
    # Before: one lockout per e-mail, so this was 429 for 15 minutes.
    assert (await _login(app, OWNER, "a@example.com", PASSWORD)).status_code == 303


async def test_guessers_on_many_addresses_slow_the_account_at_most_30_s(app: FastAPI) -> None:
    add_user(app, "a@example.com")
    clock = _clock(app)
    for index in range(30):  # a botnet: one guess from each address
        await _login(app, f"10.0.{index}.1", "a@example.com", "guess")
    refused = await _login(app, OWNER, "a@example.com", PASSWORD)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 30
    clock.advance(timedelta(seconds=30))
    assert (await _login(app, OWNER, "a@example.com", PASSWORD)).status_code == 303


async def test_one_client_cannot_spray_many_accounts(app: FastAPI) -> None:
    add_user(app, "last@example.com")
    for index in range(20):
        response = await _login(app, ATTACKER, f"u{index}@example.com", "guess")
        assert response.status_code == 401
    assert (await _login(app, ATTACKER, "last@example.com", PASSWORD)).status_code == 429
    assert (await _login(app, OWNER, "last@example.com", PASSWORD)).status_code == 303


async def test_signing_in_clears_the_accounts_failures(app: FastAPI) -> None:
    add_user(app, "a@example.com")
    for _ in range(2):
        assert (await _login(app, OWNER, "a@example.com", "typo")).status_code == 401
    assert (await _login(app, OWNER, "a@example.com", PASSWORD)).status_code == 303
    for _ in range(3):  # three free tries again, not one
        assert (await _login(app, OWNER, "a@example.com", "typo")).status_code == 401


# -- sign-up ---------------------------------------------------------------------------------


async def _signup(app: FastAPI, ip: str, email: str) -> httpx.Response:
    async with _client(app, ip) as client:
        page = await client.get("/signup")
        if "csrf_token" not in page.text:
            return page
        data = {"email": email, "password": PASSWORD, "csrf_token": csrf_from(page.text)}
        return await client.post("/signup", data=data)


async def test_signup_is_rate_limited_per_client(app: FastAPI) -> None:
    for index in range(10):
        response = await _signup(app, ATTACKER, f"new{index}@example.com")
        assert response.status_code == 303
    refused = await _signup(app, ATTACKER, "one-more@example.com")
    assert refused.status_code == 429
    assert "too many new accounts" in refused.text
    assert int(refused.headers["Retry-After"]) > 0
    assert (await _signup(app, OWNER, "neighbour@example.com")).status_code == 303
    _clock(app).advance(timedelta(hours=1, seconds=1))
    assert (await _signup(app, ATTACKER, "one-more@example.com")).status_code == 303


@pytest.fixture
def closed_app(web_settings: Settings, app: FastAPI) -> FastAPI:
    context = context_of(app)
    settings = web_settings.model_copy(update={"signup": "closed"})
    return make_app(settings, context.database, _clock(app))


async def test_a_household_closes_signup(closed_app: FastAPI) -> None:
    async with _client(closed_app, OWNER) as client:
        page = await client.get("/signup")
        assert "Sign-up is closed" in page.text
        login = await client.get("/login")
        assert 'href="/signup"' not in login.text
        token = csrf_from(login.text)
        data = {"email": "x@example.com", "password": PASSWORD, "csrf_token": token}
        assert (await client.post("/signup", data=data)).status_code == 403


def test_signup_setting_reads_open_or_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHARGEBOOK_SIGNUP", "closed")
    assert Settings().signup == "closed"
    monkeypatch.setenv("CHARGEBOOK_SIGNUP", "maybe")
    with pytest.raises(ValueError, match="open"):
        Settings()


async def test_old_failures_are_forgotten(app: FastAPI) -> None:
    add_user(app, "a@example.com")
    for _ in range(3):
        await _login(app, ATTACKER, "a@example.com", "guess")
    _clock(app).advance(timedelta(hours=2))
    assert (await _login(app, OWNER, "a@example.com", "typo")).status_code == 401
    with context_of(app).database.session() as session:
        keys = session.scalars(select(LoginFailureRow.key)).all()
    assert len(keys) == 3  # only the newest failure's three counts are kept
