"""The connect wizard with a fake brand: only brands with a connector are offered, the
brand's form asks for its connector's two labels, a refused login is explained per brand,
and a connected account's chargers land in the owner's book with the backfill running."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI

from brands.fake_brand import (
    GUEST_EMAIL,
    GUEST_SECRET,
    OWNER_EMAIL,
    OWNER_SECRET,
    FakeConnector,
    FakeFleet,
    easee_fleet,
    registry_with,
)
from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database, SessionRepository
from chargebook.domain.models import ChargerSource
from chargebook.errors import ApiRateLimitedError, ApiUnreachableError
from chargebook.settings import Settings
from chargebook.web.errors import status_for
from chargebook.web.page_services import backfills_of

from .helpers import Actor, add_user, client_for, make_app, sign_in


@dataclass
class BrandWizard:
    app: FastAPI
    database: Database
    clock: FixedClock
    easee: FakeConnector
    peblar: FakeConnector
    owner: Actor
    other: Actor

    async def post(self, path: str, data: dict[str, str], actor: Actor | None = None):  # type: ignore[no-untyped-def]
        who = actor or self.owner
        return await who.client.post(path, data={**data, "csrf_token": who.csrf})


@pytest.fixture
async def wizard(
    web_settings: Settings, sqlite_database: Database, clock: FixedClock
) -> AsyncIterator[BrandWizard]:
    easee = FakeConnector(easee_fleet())
    peblar_fleet = FakeFleet(ChargerSource.PEBLAR_LOCAL, logins={"192.168.1.40": "web-password"})
    peblar_fleet.add_charger(
        "192.168.1.40", peblar_fleet.charger("PB-1", model="Peblar Home"), sessions=1
    )
    peblar = FakeConnector(peblar_fleet, name="Peblar")
    app = make_app(web_settings, sqlite_database, clock, brands=registry_with(easee, peblar))
    async with app.router.lifespan_context(app):
        owner = Actor("owner", add_user(app, "driver@example.com"), client_for(app))
        other = Actor("other", add_user(app, "other@example.com"), client_for(app))
        sign_in(app, owner)
        sign_in(app, other)
        yield BrandWizard(app, sqlite_database, clock, easee, peblar, owner, other)
        await owner.client.aclose()
        await other.client.aclose()


async def test_only_brands_with_a_connector_are_offered(wizard: BrandWizard) -> None:
    page = await wizard.owner.client.get("/connect")
    assert page.status_code == 200
    for testid in ("choose-wallbox", "choose-easee", "choose-peblar", "choose-ocpp"):
        assert f'data-testid="{testid}"' in page.text
    assert "choose-zaptec" not in page.text
    assert (await wizard.owner.client.get("/connect/brand/zaptec")).status_code == 404
    form = await wizard.owner.client.get("/connect/brand/peblar")
    assert form.status_code == 200
    assert "Address on your network" in form.text
    assert "Web password" in form.text


async def test_a_refused_login_is_explained_for_its_brand(wizard: BrandWizard) -> None:
    refused = await wizard.post(
        "/connect/brand/easee", {"username": OWNER_EMAIL, "secret": "wrong-secret-123"}
    )
    assert refused.status_code == 401
    assert "Easee did not accept this login" in refused.text
    assert "Easee app" in refused.text
    assert 'data-problem="wrong_password"' in refused.text
    assert OWNER_EMAIL in refused.text
    assert "wrong-secret-123" not in refused.text
    wizard.peblar.fleet.fail_next = ApiUnreachableError("no answer", brand="Peblar")
    unreachable = await wizard.post(
        "/connect/brand/peblar", {"username": "192.168.1.40", "secret": "web-password"}
    )
    assert unreachable.status_code == 502
    assert "same network" in unreachable.text
    empty = await wizard.post("/connect/brand/easee", {"username": OWNER_EMAIL, "secret": ""})
    assert empty.status_code == 422


async def test_connecting_puts_the_chargers_in_the_owners_book_and_backfills(
    wizard: BrandWizard,
) -> None:
    response = await wizard.post(
        "/connect/brand/easee", {"username": OWNER_EMAIL, "secret": OWNER_SECRET}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/connect/chargers?brand_account=1"
    page = await wizard.owner.client.get(response.headers["location"])
    assert page.status_code == 200
    assert "Charger EH100001" in page.text
    assert "Charger EH100002" in page.text
    # Another owner cannot list this account's chargers.
    other = await wizard.other.client.get(response.headers["location"])
    assert other.status_code == 404
    await backfills_of(wizard.app).wait(-1)
    with wizard.database.session() as session:
        chargers = ChargerRepository(session, wizard.clock).list(account_id=-1)
        sessions = SessionRepository(session).count(owner_user_id=wizard.owner.user.id)  # type: ignore[union-attr]
    assert {c.owner_user_id for c in chargers} == {wizard.owner.user.id}  # type: ignore[union-attr]
    assert sessions == 5
    again = await wizard.post(
        "/connect/brand/easee", {"username": OWNER_EMAIL, "secret": OWNER_SECRET}
    )
    assert again.status_code == 409
    assert "already connected" in again.text
    # The guest's account is someone else's: connecting it goes to the guest's own book.
    single = await wizard.post(
        "/connect/brand/easee", {"username": GUEST_EMAIL, "secret": GUEST_SECRET}, wizard.other
    )
    assert single.status_code == 303
    assert single.headers["location"].endswith("/meter")


def test_charger_api_errors_map_to_http_statuses() -> None:
    assert status_for(ApiRateLimitedError("slow", brand="Easee")) == 429
    assert status_for(ApiUnreachableError("down", brand="Zaptec")) == 502
