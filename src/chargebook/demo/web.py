"""The web app on a demo world: the Wallbox simulator (in-process, or served at a URL), a demo
owner and a demo operator, and optionally the owner's myWallbox account already connected, an
OCPP charger of the owner that has charged once, and the owner's Easee, Zaptec and Peblar on
their in-process simulators (`chargebook.demo.brands`; `demo_app` turns all three on). `demo_app`
plans smart charging on recorded real prices (`chargebook.prices.demo`), so it runs offline.

    app = build_demo_app(settings)        # settings.wallbox_*_url = the simulator's origin
    uvicorn --factory chargebook.demo.web:demo_app   # in-process simulator, data dir demo-web

`demo_app` also seeds the owner's ERE year once the history is in (`chargebook.demo.ere_year`:
connection, mandate, a registered and paid first quarter) and labels every page as demo data.

Logins: owner@example.com / demo-password, operator@example.com / operator-password (the
simulator's myWallbox account is demo@example.com / demo-password).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi import FastAPI

from chargebook.clock import Clock, SystemClock
from chargebook.db import UserRepository, WallboxAccountRepository
from chargebook.demo.brands import BRAND_HISTORY_DAYS, DemoBrands
from chargebook.demo.ere_year import DEMO_OPERATOR, history_days, seed_ere_year
from chargebook.domain.prices import PriceSource
from chargebook.domain.users import BrandAccount, UserRole, WallboxAccount
from chargebook.prices.demo import DemoPriceSource
from chargebook.private_files import private_dir
from chargebook.settings import Settings, load_settings
from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator
from chargebook.web.accounts import AccountService
from chargebook.web.app import create_app
from chargebook.web.brand_onboarding import load_brand_chargers
from chargebook.web.context import WebContext
from chargebook.web.mqtt_door import mqtt_bridge
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
# Shown on every page of a demo with a seeded ERE year (base.html): nobody should take it for
# real money.
DEMO_NOTE = (
    "Demo data: simulated chargers and a seeded ERE year (test EAN, mandate, a registered "
    "first quarter, a statement and a payout marked paid). Nothing is registered with the "
    "NEa and no money moves."
)


def ensure_logins(context: WebContext, logins: tuple[DemoLogin, ...] = (OWNER, OPERATOR)) -> None:
    """Create the demo users unless they exist (a restarted demo keeps its book)."""
    with context.database.transaction() as session:
        users = UserRepository(session, context.clock)
        service = AccountService(session, context.clock, context.passwords)
        for login in logins:
            if users.get_by_email(login.email) is None:
                service.sign_up(email=login.email, password=login.password, role=login.role)


async def connect_demo_owner(app: FastAPI) -> WallboxAccount:
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
    return account


async def connect_demo_brands(app: FastAPI, brands: DemoBrands) -> list[BrandAccount]:
    """Connect the owner's Easee, Zaptec and Peblar (`chargebook.demo.brands`) as the wizard
    does: sign in once, their chargers into the owner's book, the history backfilling."""
    context: WebContext = app.state.context
    accounts = await brands.connect(
        context.settings, context.database, context.box, context.clock, owner_email=OWNER.email
    )
    for account in accounts:
        loaded = await load_brand_chargers(context, account)
        backfills_of(app).start(account, [stored.charger for stored in loaded.owned])
    return accounts


async def seed_demo_ere_year(
    app: FastAPI, account: WallboxAccount, others: tuple[BrandAccount, ...] = ()
) -> None:
    """Once the owner's history is in the book (the Wallbox's and `others`'), walk their ERE
    year through the ERE service (`chargebook.demo.ere_year`), off the event loop as the
    backfill writes."""
    context: WebContext = app.state.context
    await backfills_of(app).wait(account.id)
    for other in others:  # detection then sees every charger with its sessions
        await backfills_of(app).wait(other.key)
    report = await asyncio.to_thread(
        seed_ere_year,
        context.database,
        context.clock,
        owner_email=OWNER.email,
        files=context.settings.data_dir / "ere-demo",
        box=context.box,
    )
    if not report.ok:
        _LOGGER.warning("demo: the ERE year is incomplete (%s)", report.stopped_at)


def build_demo_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    wallbox_transport: httpx.AsyncBaseTransport | None = None,
    connect_owner: bool = True,
    background: bool = False,
    ocpp_charger: bool = False,
    ocpp_version: str = "1.6",
    prices: PriceSource | None = None,
    ere_year: bool = False,
    brands: DemoBrands | None = None,
) -> FastAPI:
    """The app with demo logins; with `connect_owner`, the owner's charger is connected at
    startup and its history imports in the background; with `ocpp_charger`, the owner also
    has an OCPP charger (speaking `ocpp_version`, "1.6" or "2.0.1") that has just charged once
    through a loopback central system (`chargebook.demo.web_ocpp`). `prices` replaces the live
    day-ahead prices (the served demo passes the recorded demo prices so smart charging works
    offline). With `ere_year` (and `connect_owner`), startup waits for the owner's history and
    seeds their ERE year, and every page says it shows demo data (and the operator pays from
    the demo's textbook account, unless the settings name one). With `brands` (and
    `connect_owner`), the owner's Easee, Zaptec and Peblar are connected too, to those
    simulators."""
    if ere_year and not settings.operator_iban:
        settings = settings.model_copy(
            update={
                "operator_name": DEMO_OPERATOR.name,
                "operator_iban": DEMO_OPERATOR.iban,
                "operator_bic": DEMO_OPERATOR.bic,
            }
        )
    app = create_app(
        settings,
        clock=clock,
        wallbox_transport=wallbox_transport,
        background=background,
        brands=brands.registry if brands is not None else None,
    )
    if prices is not None:
        app.state.context.prices = prices
    ensure_logins(app.state.context)
    if ere_year:
        app.state.demo_note = DEMO_NOTE
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(started: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            await stack.enter_async_context(inner(started))
            if connect_owner:
                account = await connect_demo_owner(started)
                others = await connect_demo_brands(started, brands) if brands else []
                if ere_year:
                    await seed_demo_ere_year(started, account, tuple(others))
            if ocpp_charger:
                from chargebook.demo.web_ocpp import run_demo_ocpp_charger

                await stack.enter_async_context(
                    run_demo_ocpp_charger(
                        started.state.context, owner_email=OWNER.email, ocpp_version=ocpp_version
                    )
                )
            if not background:  # the background lifespan runs it itself
                # CHARGEBOOK_MQTT_URL set: the demo chargers appear in Home Assistant too.
                await stack.enter_async_context(mqtt_bridge(started.state.context, started))
            yield

    app.router.lifespan_context = lifespan
    return app


def demo_app(
    data_dir: Path | None = None, seed: int = 1, days: int = 120, ocpp_version: str = "1.6"
) -> FastAPI:
    """The demo with the Wallbox simulator in-process, the owner's OCPP charger (speaking
    `ocpp_version`) and one Easee, Zaptec and Peblar charger on their simulators (for
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
    # The ERE year books sessions from 1 January: the simulated history reaches back that far.
    history = history_days(clock.now(), days)
    simulator = WallboxSimulator(
        SimulatorConfig(
            seed=seed, accounts=1, chargers_per_account=2, days=history, partner_mode=True
        ),
        clock=clock,
    )
    _LOGGER.info("demo: owner %s, operator %s", OWNER.email, OPERATOR.email)
    return build_demo_app(
        settings,
        clock=clock,
        wallbox_transport=httpx.ASGITransport(app=simulator.app),
        ocpp_charger=True,
        ocpp_version=ocpp_version,
        ere_year=True,
        brands=DemoBrands.build(clock, seed=seed, days=min(days, BRAND_HISTORY_DAYS)),
        # Offline on purpose: recorded real prices replayed around today, labelled as such.
        prices=DemoPriceSource(clock),
    )
