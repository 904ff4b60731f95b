"""The web app on a demo world: the Wallbox simulator (in-process, or served at a URL), a demo
owner and a demo operator, and optionally the owner's myWallbox account already connected and
an OCPP charger of the owner that has charged once (`demo_app` turns both on). `demo_app`
plans smart charging on recorded real prices (`chargebook.prices.demo`), so it runs offline.

    app = build_demo_app(settings)        # settings.wallbox_*_url = the simulator's origin
    uvicorn --factory chargebook.demo.web:demo_app   # in-process simulator, data dir demo-web

Logins: owner@example.com / demo-password, operator@example.com / operator-password (the
simulator's myWallbox account is demo@example.com / demo-password).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi import FastAPI

from chargebook.clock import Clock, SystemClock
from chargebook.db import UserRepository, WallboxAccountRepository
from chargebook.domain.prices import PriceSource
from chargebook.domain.users import UserRole
from chargebook.prices.demo import DemoPriceSource
from chargebook.private_files import private_dir
from chargebook.settings import Settings, load_settings
from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator
from chargebook.web.accounts import AccountService
from chargebook.web.app import create_app
from chargebook.web.context import WebContext
from chargebook.web.onboarding import connect_wallbox, load_chargers
from chargebook.web.page_services import backfills_of

_LOGGER = logging.getLogger(__name__)

SIMULATOR_ORIGIN = "http://wallbox-simulator.invalid"
WALLBOX_EMAIL = "demo@example.com"
WALLBOX_PASSWORD = "demo-password"  # noqa: S105 - the simulator's published demo account


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str = ""
    role: UserRole = UserRole.OWNER


OWNER = DemoLogin("owner@example.com", "demo-password", UserRole.OWNER)
OPERATOR = DemoLogin("operator@example.com", "operator-password", UserRole.OPERATOR)


def ensure_logins(context: WebContext, logins: tuple[DemoLogin, ...] = (OWNER, OPERATOR)) -> None:
    """Create the demo users unless they exist (a restarted demo keeps its book)."""
    with context.database.transaction() as session:
        users = UserRepository(session, context.clock)
        service = AccountService(session, context.clock, context.passwords)
        for login in logins:
            if users.get_by_email(login.email) is None:
                service.sign_up(email=login.email, password=login.password, role=login.role)


async def connect_demo_owner(app: FastAPI) -> None:
    """Connect the simulator's myWallbox account to the demo owner and start its backfill."""
    context: WebContext = app.state.context
    with context.database.session() as session:
        owner = UserRepository(session, context.clock).get_by_email(OWNER.email)
        existing = WallboxAccountRepository(session, context.box, context.clock).find_by_email(
            WALLBOX_EMAIL
        )
    assert owner is not None  # ensure_logins ran
    account = existing or await connect_wallbox(
        context, owner, email=WALLBOX_EMAIL, password=WALLBOX_PASSWORD
    )
    await load_chargers(context, account)
    backfills_of(app).start(account)


def build_demo_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    wallbox_transport: httpx.AsyncBaseTransport | None = None,
    connect_owner: bool = True,
    background: bool = False,
    ocpp_charger: bool = False,
    prices: PriceSource | None = None,
) -> FastAPI:
    """The app with demo logins; with `connect_owner`, the owner's charger is connected at
    startup and its history imports in the background; with `ocpp_charger`, the owner also
    has an OCPP charger that has just charged once through a loopback central system
    (`chargebook.demo.web_ocpp`). `prices` replaces the live day-ahead prices (the served demo
    passes the recorded demo prices so smart charging works offline)."""
    app = create_app(
        settings, clock=clock, wallbox_transport=wallbox_transport, background=background
    )
    if prices is not None:
        app.state.context.prices = prices
    ensure_logins(app.state.context)
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(started: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            await stack.enter_async_context(inner(started))
            if connect_owner:
                await connect_demo_owner(started)
            if ocpp_charger:
                from chargebook.demo.web_ocpp import run_demo_ocpp_charger

                await stack.enter_async_context(
                    run_demo_ocpp_charger(started.state.context, owner_email=OWNER.email)
                )
            yield

    app.router.lifespan_context = lifespan
    return app


def demo_app(data_dir: Path | None = None, seed: int = 1, days: int = 120) -> FastAPI:
    """The demo with the Wallbox simulator in-process and the owner's OCPP charger (for
    `uvicorn --factory`)."""
    base = load_settings()
    folder = data_dir or base.data_dir / "demo-web"
    private_dir(folder)
    settings = base.model_copy(
        update={
            "data_dir": folder,
            "database_url": None,
            "wallbox_api_url": SIMULATOR_ORIGIN,
            "wallbox_auth_url": SIMULATOR_ORIGIN,
            "wallbox_partner_mode": True,
            "web_cookie_secure": False,
        }
    )
    clock = SystemClock()
    simulator = WallboxSimulator(
        SimulatorConfig(
            seed=seed, accounts=1, chargers_per_account=2, days=days, partner_mode=True
        ),
        clock=clock,
    )
    _LOGGER.info("demo: owner %s, operator %s", OWNER.email, OPERATOR.email)
    return build_demo_app(
        settings,
        clock=clock,
        wallbox_transport=httpx.ASGITransport(app=simulator.app),
        ocpp_charger=True,
        # Offline on purpose: recorded real prices replayed around today, labelled as such.
        prices=DemoPriceSource(clock),
    )
