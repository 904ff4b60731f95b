"""The web demo's OCPP charger: on the owner's dashboard, with its session, next to Wallbox."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select

from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, SessionRepository, UserRepository
from chargebook.db.ocpp.tables import OcppFrameRow
from chargebook.demo.ocpp import DEMO_CHARGE_POINT_ID
from chargebook.demo.web import OWNER, build_demo_app
from chargebook.domain.models import ChargerSource
from chargebook.settings import Settings
from chargebook.web.accounts import AccountService
from chargebook.web.context import WebContext
from chargebook.web.cookies import SESSION_COOKIE


@pytest.mark.parametrize(
    ("ocpp_version", "transaction_action"),
    [("1.6", "StartTransaction"), ("2.0.1", "TransactionEvent")],
)
async def test_the_owner_sees_the_ocpp_charger_and_its_session(
    web_settings: Settings, ocpp_version: str, transaction_action: str
) -> None:
    clock = FixedClock(datetime(2026, 6, 1, 18, tzinfo=UTC))
    app = build_demo_app(
        web_settings,
        clock=clock,
        connect_owner=False,
        ocpp_charger=True,
        ocpp_version=ocpp_version,
    )
    context: WebContext = app.state.context
    async with app.router.lifespan_context(app):
        assert context.central_system is not None
        assert context.central_system.connected_ids() == [DEMO_CHARGE_POINT_ID]
        with context.database.transaction() as session:
            owner = UserRepository(session, clock).get_by_email(OWNER.email)
            assert owner is not None
            cookie = AccountService(session, clock, context.passwords).start_session(owner)
            (charger,) = ChargerRepository(session, clock).list(owner_user_id=owner.id)
            (stored,) = SessionRepository(session).list(charger_id=charger.id)
            actions = set(session.scalars(select(OcppFrameRow.action)))
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client:
            client.cookies.set(SESSION_COOKIE, cookie)
            dashboard = await client.get("/")
            charger_page = await client.get(f"/chargers/{charger.id}")
    assert context.central_system is None  # stopped with the app

    assert charger.charger.source is ChargerSource.OCPP
    assert transaction_action in actions  # the demo charger spoke the version asked for
    assert charger.charger.model == "SimCharger-22"  # from its BootNotification
    assert dashboard.status_code == 200
    assert DEMO_CHARGE_POINT_ID in dashboard.text
    assert f"/chargers/{charger.id}" in dashboard.text
    assert charger_page.status_code == 200
    # The session: lifetime register readings as evidence, energy their difference.
    assert stored.source is ChargerSource.OCPP
    assert stored.meter_start_wh is not None
    assert stored.meter_stop_wh is not None
    assert stored.energy_kwh == Decimal(stored.meter_stop_wh - stored.meter_start_wh) / 1000
    assert stored.energy_kwh > 1
    assert stored.ended_at is not None
    assert stored.ended_at <= clock.now()  # it happened just before the app started
    assert f"{stored.energy_kwh:.2f}" in charger_page.text
