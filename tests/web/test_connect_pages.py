"""The connect wizard against the Wallbox simulator (real client over its ASGI app): sign-in
checked live with its three failure explanations, charger choice, the MID step both ways,
the background backfill with its progress fragment, and OCPP registration."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI

from chargebook.central_system.auth import SecretVerifier
from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database, SessionRepository, WallboxAccountRepository
from chargebook.db.ere.store import EreStore
from chargebook.db.ocpp.chargers import OcppChargerRepository
from chargebook.domain.book import SessionState
from chargebook.domain.models import ChargerSource
from chargebook.domain.users import UserRole
from chargebook.ere import gs1_check_digit
from chargebook.settings import Settings
from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator
from chargebook.web.page_services import backfills_of

from .helpers import Actor, add_user, client_for, context_of, csrf_from, make_app, sign_in

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"


def valid_ean(body: str = "87123456789012345") -> str:
    return body + str(gs1_check_digit(body))


class ThrottledSignIn(httpx.AsyncBaseTransport):
    """The simulator, except that Wallbox answers every sign-in with 429."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.sign_ins = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/users/signin":
            self.sign_ins += 1
            return httpx.Response(429, json={"error": "too many requests"})
        return await self.inner.handle_async_request(request)


@dataclass
class Wizard:
    app: FastAPI
    simulator: WallboxSimulator
    database: Database
    owner: Actor
    operator: Actor

    async def post(
        self, path: str, data: dict[str, str], actor: Actor | None = None
    ) -> httpx.Response:
        who = actor or self.owner
        return await who.client.post(path, data={**data, "csrf_token": who.csrf})


async def _wizard(
    settings: Settings, database: Database, clock: FixedClock, throttle: bool = False
) -> AsyncIterator[Wizard]:
    simulator = WallboxSimulator(
        SimulatorConfig(seed=1, accounts=1, chargers_per_account=2, days=20, partner_mode=True),
        clock=clock,
    )
    inner = httpx.ASGITransport(app=simulator.app)
    transport = ThrottledSignIn(inner) if throttle else inner
    partner = settings.model_copy(update={"wallbox_partner_mode": True})
    app = make_app(partner, database, clock, wallbox_transport=transport)
    async with app.router.lifespan_context(app):
        owner = Actor("owner", add_user(app, "driver@example.com"), client_for(app))
        operator = Actor("op", add_user(app, "op@example.com", UserRole.OPERATOR), client_for(app))
        sign_in(app, owner)
        sign_in(app, operator)
        yield Wizard(app, simulator, database, owner, operator)
        await owner.client.aclose()
        await operator.client.aclose()


@pytest.fixture
async def wizard(
    web_settings: Settings, sqlite_database: Database, clock: FixedClock
) -> AsyncIterator[Wizard]:
    async for world in _wizard(web_settings, sqlite_database, clock):
        yield world


def _account_id(wizard: Wizard) -> int:
    context = context_of(wizard.app)
    with wizard.database.session() as session:
        found = WallboxAccountRepository(session, context.box, context.clock).find_by_email(
            DEMO_EMAIL
        )
    assert found is not None
    return found.id


async def test_wizard_connects_chooses_and_signs_the_mandate(wizard: Wizard) -> None:
    response = await wizard.post(
        "/connect/wallbox", {"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 303
    account_id = _account_id(wizard)
    assert response.headers["location"] == f"/connect/chargers?account={account_id}"
    page = await wizard.owner.client.get(response.headers["location"])
    assert page.status_code == 200
    assert "Pulsar Plus" in page.text
    assert "Copper SB" in page.text
    with wizard.database.session() as session:
        chargers = ChargerRepository(session, wizard.simulator.clock).list(account_id=account_id)
    assert {c.owner_user_id for c in chargers} == {wizard.owner.user.id}  # type: ignore[union-attr]
    copper = next(c for c in chargers if c.charger.model == "Copper SB")

    selected = await wizard.post(f"/connect/{copper.id}/select", {})
    assert selected.headers["location"] == f"/connect/{copper.id}/meter"
    meter = await wizard.owner.client.get(f"/connect/{copper.id}/meter")
    assert ">qualifies<" in meter.text
    form = {
        "ean": "871234567890123450",  # one digit off
        "connected_party_name": "D. River",
        "street": "Laan",
        "house_number": "1",
        "postal_code": "1234 ab",
        "city": "Utrecht",
        "signed_by_name": "D. River",
        "signed_on": wizard.simulator.clock.now().date().isoformat(),
        "last_year": str(wizard.simulator.clock.now().year + 1),
        "consent_grid_operator_data": "on",
        "consent_verifier_visit": "on",
    }
    if form["ean"] == valid_ean():
        form["ean"] = form["ean"][:-1] + str((int(form["ean"][-1]) + 1) % 10)
    refused = await wizard.post(f"/connect/{copper.id}/ere", form)
    assert refused.status_code == 422
    assert "the last digit does not match" in refused.text
    assert 'value="D. River"' in refused.text  # the form keeps what was typed

    accepted = await wizard.post(f"/connect/{copper.id}/ere", {**form, "ean": valid_ean()})
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"/connect/{copper.id}/done?mandate=ok"
    with wizard.database.session() as session:
        store = EreStore(session, wizard.simulator.clock)
        connection = store.connections.get_by_ean(valid_ean())
        mandates = store.mandates.list(ean=valid_ean())
    assert connection.charger_ids == (copper.id,)
    assert connection.connection.address.postal_code == "1234 AB"
    assert [(m.mandate.signed_by_name, m.mandate.consent_verifier_visit) for m in mandates] == [
        ("D. River", True)
    ]

    await backfills_of(wizard.app).wait(account_id)
    done = await wizard.owner.client.get(f"/connect/{copper.id}/done?mandate=ok")
    assert "connection and mandate are recorded" in done.text
    fragment = await wizard.owner.client.get(f"/connect/{copper.id}/progress")
    assert 'data-state="complete"' in fragment.text
    with wizard.database.session() as session:
        booked = SessionRepository(session).count(charger_id=copper.id, state=SessionState.OK)
    truth = len(wizard.simulator.ended_sessions(int(copper.charger.external_id)))
    assert booked == truth > 0
    assert f'data-testid="session-count">{booked}<' in fragment.text


async def test_consumer_model_offers_upgrade_quote_and_sap_for_the_operator(wizard: Wizard) -> None:
    await wizard.post("/connect/wallbox", {"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    with wizard.database.session() as session:
        chargers = ChargerRepository(session, wizard.simulator.clock).list()
    pulsar = next(c for c in chargers if c.charger.model == "Pulsar Plus")
    await wizard.post(f"/connect/{pulsar.id}/select", {})
    meter = await wizard.owner.client.get(f"/connect/{pulsar.id}/meter")
    assert ">needs upgrade<" in meter.text
    assert "Request a quote" in meter.text
    assert "Get SAP guidance" in meter.text
    assert 'name="ean"' not in meter.text  # no EAN form for a charger that cannot earn

    response = await wizard.post(f"/connect/{pulsar.id}/followup", {"kind": "upgrade_quote"})
    assert response.headers["location"] == f"/connect/{pulsar.id}/done?requested=upgrade_quote"
    again = await wizard.owner.client.get(f"/connect/{pulsar.id}/meter")
    assert "Requested ✓" in again.text

    console = await wizard.operator.client.get("/operator/followups?status=open")
    assert "requested by the owner in the connect wizard" in console.text
    with wizard.database.session() as session:
        requested = [
            f
            for f in EreStore(session, wizard.simulator.clock).metering.list_follow_ups()
            if f.charger_id == pulsar.id and f.note
        ]
    assert [f.kind for f in requested] == ["upgrade_quote"]
    moved = await wizard.post(
        f"/operator/followups/{requested[0].id}",
        {"status": "in_progress", "note": "quote sent"},
        wizard.operator,
    )
    assert moved.status_code == 303
    assert "quote sent" in (await wizard.operator.client.get("/operator/followups")).text


async def test_wrong_password_explains_sso_and_stores_nothing(wizard: Wizard) -> None:
    response = await wizard.post("/connect/wallbox", {"email": DEMO_EMAIL, "password": "nope"})
    assert response.status_code == 401
    assert 'data-problem="wrong_password"' in response.text
    assert "Continue with Google" in response.text  # SSO accounts explained next to it
    assert "nope" not in response.text
    relay = await wizard.post(
        "/connect/wallbox", {"email": "x1y2@privaterelay.appleid.com", "password": "whatever"}
    )
    assert relay.status_code == 401
    assert 'data-problem="sso_account"' in relay.text
    with wizard.database.session() as session:
        context = context_of(wizard.app)
        assert WallboxAccountRepository(session, context.box, context.clock).list() == []


@pytest.fixture
async def throttled(
    web_settings: Settings, sqlite_database: Database, clock: FixedClock
) -> AsyncIterator[Wizard]:
    async for world in _wizard(web_settings, sqlite_database, clock, throttle=True):
        yield world


async def test_rate_limited_sign_in_says_wait_and_asks_once(throttled: Wizard) -> None:
    response = await throttled.post(
        "/connect/wallbox", {"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "60"
    assert 'data-problem="rate_limited"' in response.text
    assert "Nothing is wrong with your password" in response.text
    transport = context_of(throttled.app).wallbox_transport
    assert isinstance(transport, ThrottledSignIn)
    assert transport.sign_ins == 1  # no retries while the owner waits


async def test_ocpp_registration_shows_url_and_secret_once(wizard: Wizard) -> None:
    response = await wizard.post("/connect/ocpp", {"charge_point_id": "garage-1"})
    assert response.status_code == 200
    assert "ws://testserver:8887/garage-1" in response.text
    secret = response.text.split('data-testid="ocpp-secret">')[1].split("<")[0]
    context = context_of(wizard.app)
    with wizard.database.session() as session:
        credentials = OcppChargerRepository(session, context.clock).credentials("garage-1")
        charger = ChargerRepository(session, context.clock).find(ChargerSource.OCPP, "garage-1")
    assert credentials is not None
    assert charger is not None
    assert charger.owner_user_id == wizard.owner.user.id  # type: ignore[union-attr]
    assert SecretVerifier().verify(credentials, secret)
    assert secret not in (await wizard.owner.client.get(f"/chargers/{charger.id}")).text
    twice = await wizard.post("/connect/ocpp", {"charge_point_id": "garage-1"})
    assert twice.status_code == 409
    page = await wizard.owner.client.get("/connect/ocpp")
    assert csrf_from(page.text)


async def test_ocpp_registration_applies_the_one_charge_point_id_rule(wizard: Wizard) -> None:
    for bad in ("CP/1", "CP 1", "X" * 49, "CP:1", "..", "CP|1"):
        response = await wizard.post("/connect/ocpp", {"charge_point_id": bad})
        assert response.status_code == 422, bad
        assert "1-48 characters" in response.text
    accepted = await wizard.post("/connect/ocpp", {"charge_point_id": "NL*ABC*E123"})
    assert accepted.status_code == 200
    assert "ws://testserver:8887/NL*ABC*E123" in accepted.text
