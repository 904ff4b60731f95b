"""The demo dashboard shows each charger in the same state as the charger's own page.

Both ask `LiveStatus.reading` (issue 18): before, the dashboard showed the book's latest sample,
so the Wallbox chargers (history imported, no live samples yet) stayed "unknown" and the OCPP
charger stayed "charging 11.0 kW" after its session had ended.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from chargebook.db import ChargerRepository, SessionRepository, UserRepository
from chargebook.demo.web import OWNER, demo_app
from chargebook.domain.models import ChargerSource
from chargebook.web.accounts import AccountService
from chargebook.web.context import WebContext
from chargebook.web.cookies import SESSION_COOKIE

CARD = re.compile(
    r'data-charger-id="(\d+)">\s*<header>\s*<h2>[^<]*</h2>\s*'
    r'<span class="state state-(\w+)" data-testid="state">'
)
PAGE_STATE = re.compile(r'<span class="state state-(\w+) big" data-field="state"')
RESUME = re.compile(r'<button type="submit"( class="primary")? data-testid="resume">')


async def test_dashboard_states_equal_each_chargers_page(isolated_data_dir: Path) -> None:
    app = demo_app(data_dir=isolated_data_dir / "demo-web", days=2)
    context: WebContext = app.state.context
    async with app.router.lifespan_context(app):
        with context.database.transaction() as session:
            owner = UserRepository(session, context.clock).get_by_email(OWNER.email)
            assert owner is not None
            cookie = AccountService(session, context.clock, context.passwords).start_session(owner)
            chargers = ChargerRepository(session, context.clock).list(owner_user_id=owner.id)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client:
            client.cookies.set(SESSION_COOKIE, cookie)
            dashboard = await client.get("/")
            pages = {c.id: await client.get(f"/chargers/{c.id}") for c in chargers}
            live = {c.id: (await client.get(f"/chargers/{c.id}/live")).json() for c in chargers}
        with context.database.session() as session:
            booked = {c.id: SessionRepository(session).count(charger_id=c.id) for c in chargers}

    assert dashboard.status_code == 200, dashboard.text
    on_dashboard = {int(cid): state for cid, state in CARD.findall(dashboard.text)}
    sources = {c.id: c.charger.source for c in chargers}
    # Two Wallbox chargers, the OCPP one, and one charger of each brand beside them.
    assert sorted(sources.values()) == sorted(
        [
            ChargerSource.WALLBOX_CLOUD,
            ChargerSource.WALLBOX_CLOUD,
            ChargerSource.OCPP,
            ChargerSource.EASEE_CLOUD,
            ChargerSource.ZAPTEC_CLOUD,
            ChargerSource.PEBLAR_LOCAL,
        ]
    )
    assert set(on_dashboard) == set(sources)
    for charger_id, state in on_dashboard.items():
        page_state = PAGE_STATE.search(pages[charger_id].text)
        assert page_state is not None, pages[charger_id].text
        assert state == page_state.group(1) == live[charger_id]["state"], charger_id
        assert state != "unknown", sources[charger_id]  # every demo charger answers
        assert booked[charger_id] > 0, sources[charger_id]  # and has its sessions
    (ocpp_id,) = [cid for cid, source in sources.items() if source is ChargerSource.OCPP]
    # Its session ended before the app started: the connector is Available, nothing flows.
    assert on_dashboard[ocpp_id] == "ready"
    assert live[ocpp_id]["power_kw"] == 0.0
    assert live[ocpp_id]["suggested_command"] is None
    resume = RESUME.search(pages[ocpp_id].text)
    assert resume is not None
    assert resume.group(1) is None  # Resume is not highlighted while nothing is paused
