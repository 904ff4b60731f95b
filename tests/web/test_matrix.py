"""The access matrix: every route in routes.py, for anonymous, owner A, owner B and operator.

Also: every route of the app is in the table, every unsafe page route checks CSRF, every API
route with a scope refuses a token without it, and every API error has the error shape.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from chargebook.domain.access import ApiScope
from chargebook.domain.models import ChargerSource
from chargebook.web.deps import account_service

from .fake_control import FakeControl
from .helpers import Actor, World, context_of, csrf_from, mandate_ids, sign_in
from .routes import FRAMEWORK_PATHS, ROUTES, UNKNOWN_ID, Access, RouteCase

ACTORS = ("anonymous", "owner_a", "owner_b", "operator")


def _path(case: RouteCase, world: World) -> str:
    return case.path.format(
        charger_id=world.charger_ids["owner_a"],
        session_id=world.session_ids["owner_a"],
        statement_id=world.statement_ids["owner_a"],
        payout_statement_id=world.statement_ids["owner_a"],
        metered_charger_id=world.charger_ids["owner_a"],
        mandate_id=mandate_ids(world)["owner_a"],
        follow_up_id=UNKNOWN_ID,
        batch_id=UNKNOWN_ID,
        run_id=UNKNOWN_ID,
        webhook_id=UNKNOWN_ID,
        command="lock",
        slug="tesla",  # a brand with no connector: not offered
        charge_point_id="CP-NONE",
    )


async def _request(case: RouteCase, world: World, actor: Actor, **extra: Any) -> httpx.Response:
    path = _path(case, world)
    if case.is_api:
        return await actor.client.request(
            case.method, path, headers=extra.get("headers", actor.bearer()), json=case.body
        )
    data: dict[str, Any] | None = None
    if case.method != "GET":
        token = extra.get("csrf", actor.csrf)
        if actor.user is None and "csrf" not in extra:
            token = csrf_from((await actor.client.get("/login")).text)
        data = {**(case.body or {}), "csrf_token": token}
    return await actor.client.request(case.method, path, data=data)


def _expected(case: RouteCase, actor: str) -> int:
    if case.access is Access.PUBLIC:
        if case.id == "GET /login" and actor != "anonymous":
            return 303
        if case.id == "GET /signup" and actor != "anonymous":
            return 303
        return case.ok
    if actor == "anonymous":
        return 401 if case.is_api else 303
    if case.owned and actor == "owner_b":
        return 404
    if case.access is Access.OWNER and actor == "operator":
        return 404  # the operator's book view does not extend to other people's plans
    if case.access is Access.OPERATOR and actor != "operator":
        return 403
    return case.ok


def _check_error_shape(response: httpx.Response) -> None:
    body = response.json()
    assert set(body) == {"error", "detail"}, body
    assert isinstance(body["error"], str)


@pytest.mark.parametrize("case", ROUTES, ids=lambda case: case.id)
async def test_access_matrix(world: World, case: RouteCase) -> None:
    context_of(world.app).controls.register(ChargerSource.WALLBOX_CLOUD, FakeControl().factory)
    for name in ACTORS:
        response = await _request(case, world, world.actors[name])
        expected = _expected(case, name)
        assert response.status_code == expected, (name, response.status_code, response.text[:300])
        if case.is_api and expected >= 400:
            _check_error_shape(response)
        if not case.is_api and expected == 303 and name == "anonymous":
            assert response.headers["location"].startswith("/login")


async def test_operator_sees_every_owner_and_owners_only_their_own(world: World) -> None:
    seen = {}
    for name in ("owner_a", "owner_b", "operator"):
        actor = world.actors[name]
        chargers = (await actor.client.get("/api/v1/chargers", headers=actor.bearer())).json()
        sessions = (await actor.client.get("/api/v1/sessions", headers=actor.bearer())).json()
        seen[name] = ({c["id"] for c in chargers}, {s["charger_id"] for s in sessions["items"]})
    a, b = world.charger_ids["owner_a"], world.charger_ids["owner_b"]
    assert seen["owner_a"] == ({a}, {a})
    assert seen["owner_b"] == ({b}, {b})
    assert seen["operator"] == ({a, b}, {a, b})
    page = await world.actors["owner_b"].client.get("/")
    assert "Garage 70001" in page.text
    assert "Garage 70000" not in page.text


async def test_unknown_ids_look_like_other_owners_ids(world: World) -> None:
    owner_b = world.actors["owner_b"]
    theirs = await owner_b.client.get(
        f"/api/v1/chargers/{world.charger_ids['owner_a']}", headers=owner_b.bearer()
    )
    missing = await owner_b.client.get("/api/v1/chargers/999999", headers=owner_b.bearer())
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["error"] == missing.json()["error"] == "NotFoundError"


def test_every_route_is_in_the_table(app: FastAPI) -> None:
    table = {(case.method, case.path) for case in ROUTES}
    missing = []
    for context in iter_route_contexts(app.routes):
        path = context.path
        if path in FRAMEWORK_PATHS:
            continue
        for method in sorted(getattr(context, "methods", None) or ()):
            if method != "HEAD" and (method, path) not in table:
                missing.append(f"{method} {path}")
    assert not missing, f"add these routes to tests/web/routes.py: {missing}"


@pytest.mark.parametrize(
    "case", [c for c in ROUTES if not c.is_api and c.method != "GET"], ids=lambda c: c.id
)
async def test_unsafe_page_routes_refuse_a_missing_or_wrong_csrf_token(
    world: World, case: RouteCase
) -> None:
    for name in ACTORS:
        for token in ("", "0" * 64):
            response = await _request(case, world, world.actors[name], csrf=token)
            assert response.status_code == 403, (name, token, response.status_code)


@pytest.mark.parametrize("case", [c for c in ROUTES if c.scope], ids=lambda c: c.id)
async def test_api_routes_refuse_a_token_without_their_scope(world: World, case: RouteCase) -> None:
    actor = world.actors["operator"]  # even the operator needs the scope
    assert actor.user is not None
    others = frozenset(ApiScope) - {case.scope} if case.scope else frozenset()
    limited = Actor("limited", actor.user, actor.client)
    sign_in(world.app, limited, scopes=frozenset(others))
    response = await _request(case, world, limited)
    assert response.status_code == 403
    _check_error_shape(response)
    assert case.scope is not None
    assert case.scope.value in response.json()["detail"]


async def test_revoked_and_garbage_tokens_get_401(world: World) -> None:
    actor = world.actors["owner_a"]
    for header in ("Bearer cbk_nope", "Basic abc", "Bearer"):
        response = await actor.client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401
        _check_error_shape(response)
        assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_api_ignores_browser_cookies(world: World) -> None:
    owner = world.actors["owner_a"]  # has a valid session cookie, sends no bearer token
    response = await owner.client.get("/api/v1/chargers")
    assert response.status_code == 401
    _check_error_shape(response)


async def test_a_revoked_token_stops_working_at_once(world: World) -> None:
    owner = world.actors["owner_a"]
    assert (await owner.client.get("/api/v1/me", headers=owner.bearer())).status_code == 200
    context = context_of(world.app)
    with context.database.transaction() as session:
        service = account_service(context, session)
        assert owner.user is not None
        for token in service.list_tokens(owner.user):
            service.revoke_token(owner.user, token.id)
    response = await owner.client.get("/api/v1/me", headers=owner.bearer())
    assert response.status_code == 401
    assert response.json()["detail"] == "the access token is unknown or revoked"


async def test_every_api_error_is_documented_in_openapi(app: FastAPI) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        spec = (await client.get("/openapi.json")).json()
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    for path, methods in spec["paths"].items():
        assert path.startswith("/api/v1/"), path  # pages stay out of the API schema
        for operation in methods.values():
            assert {"401", "403", "404", "422"} <= set(operation["responses"]), path


async def test_statements_are_the_owners_own(world: World) -> None:
    for name in ("owner_a", "owner_b", "operator"):
        actor = world.actors[name]
        listed = (await actor.client.get("/api/v1/statements", headers=actor.bearer())).json()
        ids = {statement["id"] for statement in listed}
        if name == "operator":
            assert ids == set(world.statement_ids.values())
        else:
            assert ids == {world.statement_ids[name]}
            assert Decimal(listed[0]["payout_eur"]) == Decimal("0.72")
