"""The owner's tariff on the web and the API: the form with its three kinds and its errors,
the tariff on the plan editor and the charger page, previews priced at it, the API's GET/PUT
with their scopes, and a session's cost at it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from chargebook.clock import FixedClock
from chargebook.domain.access import ApiScope

from .helpers import World, sign_in

PREVIEW = {
    "goal": "energy", "energy_kwh": "20", "departure": "07:00",
    "weekday": ["0", "1", "2", "3", "4"], "strategy": "cheapest", "min_block": "0",
}  # fmt: skip
NIGHT = {"kind": "day_night", "normal": "0.3", "low": "0.2"}
FIXED = {"kind": "fixed", "price": "0.28"}


@pytest.fixture
def clock() -> FixedClock:
    # Tue 16 Dec 2025 16:00 in Amsterdam: the recorded prices run until Thu 18 Dec 24:00.
    return FixedClock(datetime(2025, 12, 16, 15, 0, tzinfo=UTC))


async def _post(world: World, owner: str, **fields: str) -> object:
    actor = world.actors[owner]
    return await actor.client.post("/settings/tariff", data={**fields, "csrf_token": actor.csrf})


async def test_the_page_shows_the_default_until_the_owner_sets_one(world: World) -> None:
    owner = world.actors["owner_a"]
    page = await owner.client.get("/settings/tariff")
    assert page.status_code == 200
    assert "dynamic: market + €0.02/kWh surcharge" in page.text
    assert "the default: you have not set your own" in page.text
    saved = await _post(world, "owner_a", kind="fixed", price="0,28")
    assert saved.status_code == 303  # type: ignore[attr-defined]
    page = await owner.client.get("/settings/tariff?saved=1")
    assert "Saved. Your tariff: fixed €0.28/kWh." in page.text
    assert 'data-testid="tariff-periods"' in page.text
    assert "the default" not in page.text
    # Someone else's tariff is theirs alone.
    other = await world.actors["owner_b"].client.get("/settings/tariff")
    assert "dynamic: market" in other.text
    assert "€0.28" not in other.text


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"kind": "fixed", "price": "abc"}, "price", "&#39;abc&#39; is not a number"),
        ({"kind": "fixed", "price": "28"}, "price", "too much"),
        ({"kind": "day_night", "normal": "0.3", "low": ""}, "low", "Enter the low price"),
        ({**NIGHT, "low_from": "07:00"}, "low_from", "different times"),
        ({**FIXED, "valid_from": "yesterday"}, "valid_from", "is not a date"),
        ({"kind": "nuclear"}, "kind", "Choose the kind of tariff"),
    ],
)  # fmt: skip
async def test_bad_input_is_a_form_error_on_its_field(
    world: World, fields: dict[str, str], field: str, words: str
) -> None:
    answer = await _post(world, "owner_a", **fields)
    text = answer.text  # type: ignore[attr-defined]
    assert answer.status_code == 422  # type: ignore[attr-defined]
    assert words in text
    assert f'data-field="{field}"' in text
    assert re.search(rf'name="{field}"[^>]*aria-invalid="true"', text), field
    # What was typed stays in the form; nothing was stored.
    if "price" in fields:
        assert f'value="{fields["price"]}"' in text
    page = await world.actors["owner_a"].client.get("/settings/tariff")
    assert "the default" in page.text


async def test_the_form_needs_the_csrf_token(world: World) -> None:
    owner = world.actors["owner_a"]
    answer = await owner.client.post("/settings/tariff", data={"kind": "fixed", "price": "0.28"})
    assert answer.status_code == 403


async def test_plans_and_pages_use_the_owners_tariff(world: World) -> None:
    charger = world.charger_ids["owner_a"]
    owner = world.actors["owner_a"]
    url = f"/chargers/{charger}/plan/preview.json"
    dynamic = (await owner.client.get(url, params=PREVIEW)).json()
    assert Decimal(dynamic["saving_eur"]) > 0  # the market's night is cheaper
    await _post(world, "owner_a", kind="fixed", price="0.28", valid_from="2025-12-01")
    fixed = (await owner.client.get(url, params=PREVIEW)).json()
    assert Decimal(fixed["cost_eur"]) == Decimal("5.60")  # 20 kWh × €0.28
    assert Decimal(fixed["saving_eur"]) == 0  # a fixed price: nothing to gain by waiting
    prices = {Decimal(s["all_in_eur_per_kwh"]) for s in fixed["slots"] if s["all_in_eur_per_kwh"]}
    assert prices == {Decimal("0.28")}
    # The market price stays what the source said.
    assert [s["market_eur_per_kwh"] for s in fixed["slots"]] == [
        s["market_eur_per_kwh"] for s in dynamic["slots"]
    ]
    await _post(
        world, "owner_a", kind="day_night", normal="0.30", low="0.22", valid_from="2025-12-01"
    )
    night = (await owner.client.get(url, params=PREVIEW)).json()
    planned = [s for s in night["slots"] if s["planned_kwh"] > 0]
    assert planned
    assert {Decimal(s["all_in_eur_per_kwh"]) for s in planned} == {Decimal("0.22")}
    editor = await owner.client.get(f"/chargers/{charger}/plan")
    assert "Your tariff: day/night €0.30/kWh normal, €0.22/kWh low" in editor.text
    page = await owner.client.get(f"/chargers/{charger}")
    assert "Your tariff: day/night €0.30/kWh normal" in page.text


async def test_the_api_reads_and_sets_the_tariff_with_its_scopes(world: World) -> None:
    owner = world.actors["owner_a"]
    got = await owner.client.get("/api/v1/me/tariff", headers=owner.bearer())
    assert got.status_code == 200
    assert got.json()["own"] is False
    assert got.json()["current"]["kind"] == "dynamic"
    body = {"kind": "fixed", "price": "0.28", "valid_from": "2025-12-01"}
    put = await owner.client.put("/api/v1/me/tariff", json=body, headers=owner.bearer())
    assert put.status_code == 200, put.text
    assert put.json()["current"]["description"] == "fixed €0.28/kWh"
    assert put.json()["periods"][0]["valid_from"] == "2025-11-30T23:00:00Z"
    bad = await owner.client.put(
        "/api/v1/me/tariff", json={"kind": "fixed", "price": "1e400"}, headers=owner.bearer()
    )
    assert bad.status_code == 422
    assert "too much" in bad.json()["detail"]
    reader = world.actors["owner_b"]
    sign_in(world.app, reader, scopes=frozenset({ApiScope.CHARGERS_READ}))
    assert (
        await reader.client.get("/api/v1/me/tariff", headers=reader.bearer())
    ).status_code == 200
    refused = await reader.client.put("/api/v1/me/tariff", json=body, headers=reader.bearer())
    assert refused.status_code == 403
    assert (await world.actors["anonymous"].client.get("/api/v1/me/tariff")).status_code == 401
    schema = (await owner.client.get("/openapi.json")).json()
    assert {"get", "put"} <= set(schema["paths"]["/api/v1/me/tariff"])


async def test_a_sessions_cost_at_the_tariff(world: World) -> None:
    owner = world.actors["owner_a"]
    session_id = world.session_ids["owner_a"]  # 7.5 kWh, yesterday
    await _post(world, "owner_a", kind="fixed", price="0.28", valid_from="2025-01-01")
    answer = (
        await owner.client.get(f"/api/v1/sessions/{session_id}", headers=owner.bearer())
    ).json()
    assert Decimal(answer["tariff_cost_eur"]) == Decimal("2.10")
    assert answer["tariff_cost_complete"] is True
    # A new contract from today leaves yesterday's session as it was.
    await _post(world, "owner_a", kind="fixed", price="0.40")
    again = (
        await owner.client.get(f"/api/v1/sessions/{session_id}", headers=owner.bearer())
    ).json()
    assert Decimal(again["tariff_cost_eur"]) == Decimal("2.10")
    page = await owner.client.get(f"/sessions/{session_id}")
    assert re.search(r'data-testid="session-tariff-cost">€\s?2\.10', page.text)
