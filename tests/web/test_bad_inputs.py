"""The inputs that answered 500 (issue 14) now get a 4xx with a clear message, and every integer
parameter of every route is bounded (so the next route cannot forget it)."""

from __future__ import annotations

import base64
import json

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from chargebook.domain.ere import DeliveryPeriod
from chargebook.domain.ere_book import parse_period
from chargebook.web.params import MAX_ROW_ID

from .fuzz_inputs import app_routes
from .helpers import World

HUGE = "9" * 20


def _cursor(stamp: str, row_id: int = 1) -> str:
    raw = json.dumps([stamp, row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


EDGE_CURSOR = _cursor("9999-12-31T23:59:59.999999-23:59")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/sessions?charger=%C2%B2", "unknown id"),
        ("/sessions?end=9999-12-31", "between 1970-01-01 and 2099-12-31"),
        ("/sessions?start=0001-01-01", "between 1970-01-01 and 2099-12-31"),
        ("/sessions/export.csv?end=9999-12-31", "between 1970-01-01 and 2099-12-31"),
        (f"/sessions?cursor={EDGE_CURSOR}", "the cursor is not valid"),
        (f"/sessions/{HUGE}", "session_id: Input should be less than or equal to 2147483647"),
        (f"/chargers/{HUGE}", "the request is not valid"),
        (f"/credits/statements/{HUGE}.pdf", "the request is not valid"),
        (f"/connect/{HUGE}/meter", "the request is not valid"),
        (f"/connect/chargers?account={HUGE}", "the request is not valid"),
    ],
)
async def test_pages_answer_bad_input_with_422(world: World, path: str, message: str) -> None:
    response = await world.actors["owner_a"].client.get(path)
    assert response.status_code == 422, response.text[:300]
    assert message in response.text


@pytest.mark.parametrize(
    "query",
    [
        {"cursor": EDGE_CURSOR},
        {"cursor": _cursor("0001-01-01T00:00:00+23:59")},
        {"cursor": _cursor("2026-03-10T18:00:00+00:00", 2**64)},
        {"start": "0001-01-01T00:00:00+23:59"},
        {"end": "9999-12-31T23:59:59.999999-23:59"},
        {"charger_id": HUGE},
    ],
)
async def test_the_api_answers_bad_input_with_422(world: World, query: dict[str, str]) -> None:
    owner = world.actors["owner_a"]
    response = await owner.client.get("/api/v1/sessions", params=query, headers=owner.bearer())
    assert response.status_code == 422, response.text
    assert response.json()["error"] in ("ValidationError", "InvalidInputError")


async def test_edge_dates_inside_the_window_still_work(world: World) -> None:
    owner = world.actors["owner_a"]
    response = await owner.client.get("/sessions?start=1970-01-01&end=2099-12-31")
    assert response.status_code == 200
    api = await owner.client.get(
        "/api/v1/sessions", params={"start": "1970-01-01T00:00:00Z"}, headers=owner.bearer()
    )
    assert api.status_code == 200
    assert api.json()["items"]


def test_every_integer_parameter_of_every_route_is_bounded(app: FastAPI) -> None:
    unbounded = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        for field in [*route.dependant.path_params, *route.dependant.query_params]:
            if int not in (field.field_info.annotation, *getattr(
                field.field_info.annotation, "__args__", ()
            )):  # fmt: skip
                continue
            limits = {type(m).__name__: m for m in field.field_info.metadata}
            high = getattr(limits.get("Le"), "le", None) or getattr(limits.get("Lt"), "lt", None)
            if ("Ge" not in limits and "Gt" not in limits) or high is None or high > MAX_ROW_ID:
                unbounded.append(f"{context.path} {field.name}")
    assert not unbounded, f"bound these with chargebook.web.params (RowId, ...): {unbounded}"
    assert len(app_routes(app)) >= 60


@pytest.mark.parametrize("where", ["form", "header"])
async def test_a_non_ascii_csrf_token_is_refused_not_a_crash(world: World, where: str) -> None:
    owner = world.actors["owner_a"]
    if where == "form":
        response = await owner.client.post("/logout", data={"csrf_token": "é"})
    else:
        response = await owner.client.post("/logout", headers={"X-CSRF-Token": b"\xe9"})
    assert response.status_code == 403  # before: hmac.compare_digest raised TypeError, a 500


@pytest.mark.parametrize("period", ["0000-Q1", "9999-Q4", "²⁰²⁶-Q1", "1999"])
async def test_a_period_outside_the_years_is_refused(world: World, period: str) -> None:
    operator = world.actors["operator"]
    data = {"period": period, "csrf_token": operator.csrf}
    response = await operator.client.post("/operator/batches", data=data)
    assert 400 <= response.status_code < 500, response.text[:300]


@pytest.mark.parametrize(("field", "value"), [("weekday", "²"), ("min_block", "²")])
async def test_unicode_digits_in_the_plan_form_are_refused(
    world: World, field: str, value: str
) -> None:
    owner = world.actors["owner_a"]
    form = {"departure": "07:00", "weekday": "0", "energy_kwh": "10", field: value}
    response = await owner.client.post(
        f"/chargers/{world.charger_ids['owner_a']}/plan", data={**form, "csrf_token": owner.csrf}
    )
    assert response.status_code == 422, response.text[:300]


def test_parse_period_bounds_the_year() -> None:
    assert parse_period("2026-q2") == DeliveryPeriod(2026, 2)
    for label in ("9999-Q4", "0000", "²⁰²⁶"):
        with pytest.raises(ValueError, match=r"period|year"):
            parse_period(label)
