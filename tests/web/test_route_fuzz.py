"""A property-based fuzzer over EVERY route of the app (pages and API, read from `app.routes`),
signed in as an owner and as the operator, on SQLite and PostgreSQL: hostile path parameters,
query strings and form posts (with a valid CSRF token) never get a 5xx.

Three passes per route: hostile session cookies, bearer and CSRF tokens; every edge value
(fuzz_inputs.EDGE_TEXT) in every path, query and form parameter on its own (as the role the
route is for); then, for each role, hypothesis-drawn combinations of path, query and form
values. All are derandomized, so CI sees the same requests every run; the budget keeps a
backend under a minute of CPU. Failures are collected over all routes and reported together.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.domain.access import ApiScope
from chargebook.domain.models import ChargerSource
from chargebook.domain.users import User
from chargebook.prices import FilePriceSource
from chargebook.settings import Settings
from chargebook.web.accounts import AccountService
from chargebook.web.cookies import SESSION_COOKIE
from chargebook.web.security import csrf_token_for

from .fake_control import FakeControl
from .fuzz_inputs import CURSORS, EDGE_TEXT, FuzzRoute, app_routes, form_of, query_of, values
from .helpers import PRICES_FILE, World, build_world, context_of, make_app

with warnings.catch_warnings():  # starlette's note that it prefers httpx2; behaviour is the same
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

EXAMPLES_PER_ROUTE = 10
ACTORS = ("owner_a", "operator")


@dataclass
class Browser:
    """A signed-in browser: its session cookie, CSRF token and bearer token."""

    user: User
    session_id: str = ""
    csrf: str = ""
    token: str = ""


@dataclass
class Fuzz:
    app: FastAPI
    world: World
    client: TestClient
    browsers: dict[str, Browser]
    ids: list[int]

    def sign_in(self, name: str) -> None:
        browser = self.browsers[name]
        context = context_of(self.app)
        with context.database.transaction() as session:
            service = AccountService(session, context.clock, context.passwords)
            browser.session_id = service.start_session(browser.user)
            if not browser.token:
                _, browser.token = service.create_token(
                    browser.user, name="fuzz", scopes=frozenset(ApiScope)
                )
        browser.csrf = csrf_token_for(context.box, browser.session_id)

    def default_path_value(self, name: str, actor: str) -> str:
        owner = "owner_a"
        known = {
            "charger_id": self.world.charger_ids[owner],
            "session_id": self.world.session_ids[owner],
            "statement_id": self.world.statement_ids[owner],
            "payout_statement_id": self.world.statement_ids[owner],
        }
        if name == "command":
            return "lock"
        return str(known.get(name, self.ids[0]))

    def send(
        self,
        route: FuzzRoute,
        actor: str,
        path_values: dict[str, str],
        query: dict[str, str],
        form: dict[str, str],
    ) -> tuple[int, str]:
        return self.send_as(route, actor, path_values, query, form)

    def send_as(
        self,
        route: FuzzRoute,
        actor: str,
        path_values: dict[str, str],
        query: dict[str, str],
        form: dict[str, str],
        *,
        credential: str | None = None,
    ) -> tuple[int, str]:
        """`send`, or with `credential` in place of the CSRF token, cookie or bearer token."""
        browser = self.browsers[actor]
        path = route.path
        for name in route.path_params:
            value = path_values.get(name) or self.default_path_value(name, actor)
            path = path.replace("{" + name + "}", quote(value, safe=""))
        session_id, token, csrf = browser.session_id, browser.token, browser.csrf
        if credential is not None:
            session_id = token = csrf = credential
        # Headers travel as latin-1 bytes: odd characters reach the app as they would.
        raw = {"Cookie": f"{SESSION_COOKIE}={session_id}"}
        if route.is_api:
            raw = {"Authorization": f"Bearer {token}"}
        elif route.method != "GET" and credential is not None:
            raw["X-CSRF-Token"] = csrf
        headers = {k: v.encode("utf-8").decode("latin-1").encode("latin-1") for k, v in raw.items()}
        data = None
        if route.method != "GET" and not route.is_api:
            data = {**form, "csrf_token": csrf}
        self.client.cookies.clear()  # the explicit header is the only session sent
        response = self.client.request(route.method, path, params=query, data=data, headers=headers)
        if route.path == "/logout":
            self.sign_in(actor)  # the fuzzer signed itself out: sign in again
        return response.status_code, response.text[:200]


@pytest.fixture
def fuzz(web_settings: Settings, database: Database, clock: FixedClock) -> Iterator[Fuzz]:
    app = make_app(web_settings, database, clock)
    context = context_of(app)
    context.prices = FilePriceSource(PRICES_FILE)
    # Commands are recorded, not sent: no network from a fuzzer.
    context.controls.register(ChargerSource.WALLBOX_CLOUD, FakeControl().factory)
    world = asyncio.run(build_world(app))
    client = TestClient(
        app, raise_server_exceptions=False, follow_redirects=False, client=("203.0.113.9", 5555)
    )
    client.__enter__()  # one event loop thread for all requests (not one per request)
    browsers = {}
    for name in ACTORS:
        user = world.actors[name].user
        assert user is not None
        browsers[name] = Browser(user)
    ids = sorted({*world.charger_ids.values(), *world.session_ids.values(),
                  *world.statement_ids.values()})  # fmt: skip
    fuzz = Fuzz(app, world, client, browsers, ids)
    for name in ACTORS:
        fuzz.sign_in(name)
    yield fuzz
    client.__exit__(None, None, None)
    for actor in world.actors.values():
        asyncio.run(actor.client.aclose())


def _describe(route: FuzzRoute, actor: str, path: dict[str, str], query: dict[str, str],
              form: dict[str, str], status: int, body: str) -> str:  # fmt: skip
    return f"{status} {route.id} as {actor}: path={path!r} query={query!r} form={form!r} {body!r}"


def _sweep(fuzz: Fuzz, route: FuzzRoute, actor: str) -> list[str]:
    """Every edge value in every path and query parameter, one at a time."""
    found = []
    for name in (*route.path_params, *route.query_params):
        for value in EDGE_TEXT:
            path = {name: value} if name in route.path_params else {}
            query = {} if path else {name: value}
            status, body = fuzz.send(route, actor, path, query, {})
            if status >= 500:
                found.append(_describe(route, actor, path, query, {}, status, body))
    return found


HOSTILE_CREDENTIALS = ("é", "\x00", "x" * 5000, "a b;c=d", "cbk_" + "é" * 10, "%FF")


def _credentials(fuzz: Fuzz, route: FuzzRoute) -> list[str]:
    """Odd session cookies, bearer tokens and CSRF tokens (form field and header): 4xx only."""
    found = []
    for credential in HOSTILE_CREDENTIALS:
        status, body = fuzz.send_as(route, "owner_a", {}, {}, {}, credential=credential)
        if status >= 500:
            found.append(_describe(route, "owner_a", {}, {}, {"credential": credential},
                                   status, body))  # fmt: skip
    return found


FORM_EDGE = tuple(value for value in EDGE_TEXT if value not in CURSORS)


def _form_sweep(fuzz: Fuzz, route: FuzzRoute, actor: str) -> list[str]:
    """Every edge value in every field of the route's forms, one at a time."""
    found = []
    if route.is_api or route.method == "GET":
        return found
    for name in route.form_fields:
        for value in FORM_EDGE:
            status, body = fuzz.send(route, actor, {}, {}, {name: value})
            if status >= 500:
                found.append(_describe(route, actor, {}, {}, {name: value}, status, body))
    return found


def _hypothesis(fuzz: Fuzz, route: FuzzRoute, actor: str) -> list[str]:
    """Drawn combinations of path, query and form values; the first 5xx of the route."""
    found: list[str] = []
    path_values = st.fixed_dictionaries({name: values(fuzz.ids) for name in route.path_params})

    @given(path=path_values, query=query_of(route, fuzz.ids), form=form_of(route, fuzz.ids))
    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the report shows the request
        suppress_health_check=list(HealthCheck),
    )
    def check(path: dict[str, str], query: dict[str, str], form: dict[str, str]) -> None:
        status, body = fuzz.send(route, actor, path, query, form)
        if status >= 500:
            found.append(_describe(route, actor, path, query, form, status, body))

    check()
    return found


def test_every_route_answers_hostile_input_without_a_server_error(fuzz: Fuzz) -> None:
    routes = app_routes(fuzz.app)
    assert len(routes) >= 60  # every page and API route, read from app.routes
    assert {"/sessions", "/api/v1/sessions", "/connect/{charger_id}/ere"} <= {
        r.path for r in routes
    }
    failures: list[str] = []
    for route in routes:
        # The sweep once, as the role that gets past the route's access check.
        failures += _sweep(fuzz, route, "operator" if "/operator" in route.path else "owner_a")
        failures += _form_sweep(fuzz, route, "operator" if "/operator" in route.path else "owner_a")
        failures += _credentials(fuzz, route)
        for actor in ACTORS:
            failures += _hypothesis(fuzz, route, actor)
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures[:60])
