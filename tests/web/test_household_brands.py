"""A household with a Wallbox, an Easee and a Peblar (issue 19): the owner connects each through
the web wizard (the Wallbox form, the brand forms), the history backfills, and one dashboard
shows every charger in the state its own page shows. Then the ERE journey for the MID ones:
the Peblar (its MID-certified meter log) and the Wallbox Copper SB qualify and join ERE behind
one connection; the Easee, whose MID meter its API cannot prove, is "to be checked" with the
follow-up that resolves it; the quarter's eligible sessions and the mandate estimate are the
MID chargers' sessions, none of the Easee's.

All three simulators run in-process (httpx's ASGI transport) on the test's fixed clock.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from chargebook.brand_connectors import BrandRegistry
from chargebook.clock import FixedClock
from chargebook.db import Database, SessionRepository
from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import DeliveryPeriod
from chargebook.domain.models import ChargerSource
from chargebook.domain.stored import StoredCharger
from chargebook.ere import MeteringVerdict, load_parameters
from chargebook.ere.metering import MID_PROOF_FOLLOW_UP
from chargebook.ere.service import assess_charger, eligibility_report
from chargebook.ere.service.estimate import mandate_estimate
from chargebook.settings import Settings
from chargebook.simulator.easee import EaseeSimulator
from chargebook.simulator.easee import SimulatorConfig as EaseeConfig
from chargebook.simulator.peblar import DEMO_WEB_PASSWORD, PeblarSimConfig, PeblarSimulator
from chargebook.simulator.wallbox import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    SimulatorConfig,
    WallboxSimulator,
)
from chargebook.web.page_services import backfills_of

from .helpers import Actor, add_user, client_for, make_app, sign_in

CARD = re.compile(
    r'data-charger-id="(\d+)">\s*<header>\s*<h2>[^<]*</h2>\s*'
    r'<span class="state state-(\w+)" data-testid="state">'
)
PAGE_STATE = re.compile(r'<span class="state state-(\w+) big" data-field="state"')
VERDICT = re.compile(r'data-testid="verdict">([^<]+)<')
PEBLAR_ADDRESS = "192.168.1.40"
EAN = "871999000000000179"  # valid by the GS1 check, no real connection
CONNECTED_VIA = {
    ChargerSource.WALLBOX_CLOUD: "myWallbox",
    ChargerSource.EASEE_CLOUD: "Easee Cloud",
    ChargerSource.PEBLAR_LOCAL: "Peblar (local)",
}


@dataclass
class Household:
    app: FastAPI
    database: Database
    clock: FixedClock
    owner: Actor

    async def post(self, path: str, data: dict[str, str]) -> httpx.Response:
        return await self.owner.client.post(path, data={**data, "csrf_token": self.owner.csrf})

    def chargers(self) -> dict[ChargerSource, list[StoredCharger]]:
        with self.database.session() as session:
            store = EreStore(session, self.clock)
            found: dict[ChargerSource, list[StoredCharger]] = {}
            for charger in store.chargers.list():
                found.setdefault(charger.charger.source, []).append(charger)
            return found


@pytest.fixture
async def household(
    web_settings: Settings, sqlite_database: Database, clock: FixedClock
) -> AsyncIterator[Household]:
    sim_clock = FixedClock(clock.now())
    wallbox = WallboxSimulator(
        SimulatorConfig(seed=3, accounts=1, chargers_per_account=2, days=30, partner_mode=True),
        clock=sim_clock,
    )
    easee = EaseeSimulator(
        EaseeConfig(chargers_per_account=1, days=30, unlimited=True), clock=sim_clock
    )
    peblar = PeblarSimulator(PeblarSimConfig(days=30), clock=sim_clock)
    registry = BrandRegistry(
        transports={
            ChargerSource.EASEE_CLOUD: httpx.ASGITransport(app=easee.app),
            ChargerSource.PEBLAR_LOCAL: httpx.ASGITransport(app=peblar.app),
        }
    )
    settings = web_settings.model_copy(update={"wallbox_partner_mode": True})
    app = make_app(
        settings,
        sqlite_database,
        clock,
        wallbox_transport=httpx.ASGITransport(app=wallbox.app),
        brands=registry,
    )
    async with app.router.lifespan_context(app):
        owner = Actor("owner", add_user(app, "household@example.com"), client_for(app))
        sign_in(app, owner)
        yield Household(app, sqlite_database, clock, owner)
        await owner.client.aclose()


async def _connect_all_three(home: Household) -> dict[ChargerSource, StoredCharger]:
    wallbox = await home.post("/connect/wallbox", {"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    assert wallbox.status_code == 303, wallbox.text
    easee = await home.post(
        "/connect/brand/easee", {"username": "demo@example.com", "secret": "demo-password"}
    )
    assert easee.status_code == 303, easee.text
    peblar = await home.post(
        "/connect/brand/peblar", {"username": PEBLAR_ADDRESS, "secret": DEMO_WEB_PASSWORD}
    )
    assert peblar.status_code == 303, peblar.text
    # One charger each: the wizard goes on to its MID meter step.
    assert easee.headers["location"].endswith("/meter")
    assert peblar.headers["location"].endswith("/meter")
    backfills = backfills_of(home.app)
    for key in (1, -1, -2):  # the myWallbox account, then the brand accounts by -id
        await backfills.wait(key)
        status = backfills.status(key)
        assert status is not None, key
        assert status.error is None, status
    chargers = home.chargers()
    copper = next(
        c for c in chargers[ChargerSource.WALLBOX_CLOUD] if c.charger.model == "Copper SB"
    )
    selected = await home.post(f"/connect/{copper.id}/select", {})
    assert selected.status_code == 303
    (easee_charger,) = chargers[ChargerSource.EASEE_CLOUD]
    (peblar_charger,) = chargers[ChargerSource.PEBLAR_LOCAL]
    return {
        ChargerSource.WALLBOX_CLOUD: copper,
        ChargerSource.EASEE_CLOUD: easee_charger,
        ChargerSource.PEBLAR_LOCAL: peblar_charger,
    }


async def test_one_dashboard_shows_the_wallbox_the_easee_and_the_peblar(
    household: Household,
) -> None:
    await _connect_all_three(household)
    chargers = [c for group in household.chargers().values() for c in group]
    assert {c.owner_user_id for c in chargers} == {household.owner.user.id}  # type: ignore[union-attr]
    with household.database.session() as session:
        for charger in chargers:  # every charger's history is in the book
            assert SessionRepository(session).count(charger_id=charger.id) > 0, charger

    client = household.owner.client
    dashboard = await client.get("/")
    assert dashboard.status_code == 200
    on_dashboard = {int(cid): state for cid, state in CARD.findall(dashboard.text)}
    assert set(on_dashboard) == {c.id for c in chargers}
    for charger in chargers:
        page = await client.get(f"/chargers/{charger.id}")
        live = (await client.get(f"/chargers/{charger.id}/live")).json()
        page_state = PAGE_STATE.search(page.text)
        assert page_state is not None, page.text
        state = on_dashboard[charger.id]
        assert state == page_state.group(1) == live["state"], charger.charger.source
        assert state != "unknown", charger.charger.source  # each answers its own API
        # The page says how the charger is connected (the brands' once said "OCPP").
        assert f"· {CONNECTED_VIA[charger.charger.source]}</p>" in page.text


async def test_the_peblar_form_asks_what_the_connector_signs_in_with(household: Household) -> None:
    form = await household.owner.client.get("/connect/brand/peblar")
    assert "Web password" in form.text
    assert "API token" not in form.text  # the login is the address and the web password
    refused = await household.post(
        "/connect/brand/peblar", {"username": PEBLAR_ADDRESS, "secret": "not-the-password"}
    )
    assert refused.status_code == 401
    assert "Peblar did not accept this address and web password." in refused.text


async def test_the_ere_journey_works_for_the_mid_chargers(household: Household) -> None:
    chosen = await _connect_all_three(household)
    copper = chosen[ChargerSource.WALLBOX_CLOUD]
    easee = chosen[ChargerSource.EASEE_CLOUD]
    peblar = chosen[ChargerSource.PEBLAR_LOCAL]
    client = household.owner.client

    pages = {
        source: (await client.get(f"/connect/{charger.id}/meter")).text
        for source, charger in chosen.items()
    }
    verdicts = {source: VERDICT.search(text) for source, text in pages.items()}
    assert verdicts[ChargerSource.PEBLAR_LOCAL].group(1) == "qualifies"  # type: ignore[union-attr]
    assert verdicts[ChargerSource.WALLBOX_CLOUD].group(1) == "qualifies"  # type: ignore[union-attr]
    assert verdicts[ChargerSource.EASEE_CLOUD].group(1) == "to be checked"  # type: ignore[union-attr]
    assert "type plate" in pages[ChargerSource.EASEE_CLOUD]  # the follow-up that resolves it
    assert 'data-testid="ere-form"' not in pages[ChargerSource.EASEE_CLOUD]
    with household.database.session() as session:
        store = EreStore(session, household.clock)
        assessed = {c.charger.source: assess_charger(store, c) for c in (copper, easee, peblar)}
    assert assessed[ChargerSource.PEBLAR_LOCAL].verdict is MeteringVerdict.QUALIFYING
    assert assessed[ChargerSource.PEBLAR_LOCAL].mid_serial == peblar.charger.serial_number
    assert assessed[ChargerSource.WALLBOX_CLOUD].verdict is MeteringVerdict.QUALIFYING
    assert assessed[ChargerSource.EASEE_CLOUD].verdict is MeteringVerdict.UNKNOWN
    assert MID_PROOF_FOLLOW_UP in assessed[ChargerSource.EASEE_CLOUD].explanation

    # The owner joins ERE with the Peblar, then puts the Copper SB behind the same connection.
    now = household.clock.now()
    form = {
        "ean": EAN,
        "connected_party_name": "Sam Household",
        "street": "Laan",
        "house_number": "3",
        "postal_code": "1234 AB",
        "city": "Utrecht",
        "last_year": str(now.year + 1),
        "signed_on": now.date().isoformat(),
        "signed_by_name": "Sam Household",
        "consent_grid_operator_data": "on",
        "consent_verifier_visit": "on",
    }
    for charger in (peblar, copper):
        joined = await household.post(f"/connect/{charger.id}/ere", form)
        assert joined.status_code in (200, 303), joined.text
        ready = await client.get(f"/connect/{charger.id}/meter")
        assert "Ready for ERE" in ready.text, charger.charger.source

    # The quarter so far: the MID chargers' sessions are eligible, none of the Easee's.
    with household.database.transaction() as session:
        store = EreStore(session, household.clock)
        report = eligibility_report(
            store,
            DeliveryPeriod(now.year, 1),
            parameters=load_parameters(),
            now=now + timedelta(days=1),
        )
        estimate = mandate_estimate(
            store,
            household.owner.user.id,
            parameters=load_parameters(),
            now=now,  # type: ignore[union-attr]
        )
        counts = store.mid_session_counts()
    mid_sessions = counts[peblar.id][1] + counts[copper.id][1]
    assert counts[peblar.id][1] > 0
    assert counts[copper.id][1] > 0
    assert counts.get(easee.id, (0, 0))[1] == 0
    assert report.eligible > 0
    assert report.eligible <= mid_sessions
    assert estimate is not None
    assert estimate.sessions == mid_sessions  # the Peblar's and the Copper SB's, no Easee
    assert estimate.energy_kwh > 0
