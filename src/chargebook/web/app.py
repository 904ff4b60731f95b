"""`create_app`: the web app's composition root (pages, `/api/v1`, OpenAPI at /openapi.json).

    app = create_app(load_settings())           # what `chargebook serve` runs
    app = create_app(settings, database=db, clock=clock, background=False)   # tests

Adapters are wired here and nowhere else: the book, the secret box, the password hasher, the
charger controls (Wallbox Cloud now, OCPP when the central system starts in the lifespan).
"""

from __future__ import annotations

from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from chargebook import __version__
from chargebook.account_sources import budget_registry
from chargebook.book_keys import open_secret_box
from chargebook.brand_connectors import BrandRegistry, process_registry
from chargebook.charger_controls import (
    BrandAccountControls,
    ChargerControls,
    WallboxAccountControls,
)
from chargebook.clock import Clock, SystemClock
from chargebook.db import Database, open_database
from chargebook.settings import Settings
from chargebook.wallbox.transport import HttpTransport
from chargebook.web.api import api_router
from chargebook.web.api_docs import router as api_docs_router
from chargebook.web.body_limit import BodyLimit
from chargebook.web.context import WebContext
from chargebook.web.handlers import install_handlers
from chargebook.web.headers import SecurityHeaders
from chargebook.web.lifespan import background_lifespan
from chargebook.web.login_throttle import LoginLimits
from chargebook.web.page_services import backfills_of
from chargebook.web.pages import pages_router
from chargebook.web.rendering import STATIC_DIR
from chargebook.web.security import Passwords

OPENAPI_TAGS = [
    {"name": "chargers", "description": "Chargers, their live status and commands."},
    {"name": "smart charging", "description": "A charger's plan by departure time, previewed."},
    {"name": "sessions", "description": "Charging sessions (cursor pagination) and energy."},
    {"name": "credits", "description": "ERE statements: credits per period and payouts."},
    {"name": "tokens", "description": "The caller's personal access tokens."},
]


def create_app(
    settings: Settings,
    *,
    database: Database | None = None,
    clock: Clock | None = None,
    password_hasher: PasswordHasher | None = None,
    wallbox_transport: HttpTransport | None = None,
    background: bool = True,
    brands: BrandRegistry | None = None,
) -> FastAPI:
    """The chargebook web app.

    Args:
        settings: the configuration (`chargebook.settings`).
        database: the book; opened from the settings when None (and then owned by the app).
        clock: the time source; the system clock when None.
        password_hasher: argon2 parameters; tests pass cheap ones.
        wallbox_transport: an httpx transport for the Wallbox Cloud (tests: the simulator).
        background: start the scheduler and the OCPP central system in the lifespan.
        brands: the brands beside the Wallbox (`brand_connectors`; None: this process's
            registry over `CONNECTORS`); tests pass their own connectors.

    Raises:
        ConfigurationError: the secret key or the database URL is unusable.
    """
    clock = clock or SystemClock()
    owns_database = database is None
    database = database or open_database(settings)
    box = open_secret_box(settings, database)
    budgets = budget_registry(settings, clock)
    wallbox_accounts = WallboxAccountControls(
        settings, database, box, clock, transport=wallbox_transport, budgets=budgets
    )
    brands = brands or process_registry()
    brand_accounts = BrandAccountControls(settings, database, box, clock, registry=brands)
    controls = ChargerControls()
    controls.use_wallbox_accounts(wallbox_accounts)
    controls.use_brand_accounts(brand_accounts)
    context = WebContext(
        settings=settings,
        database=database,
        box=box,
        clock=clock,
        passwords=Passwords(password_hasher),
        controls=controls,
        limits=LoginLimits.from_settings(settings),
        wallbox_transport=wallbox_transport,
        budgets=budgets,
        brands=brands,
    )

    async def shutdown() -> None:
        await backfills_of(app).aclose()  # before the clients and the database go away
        await wallbox_accounts.aclose()
        await brand_accounts.aclose()
        if owns_database:
            database.dispose()

    app = FastAPI(
        title="chargebook",
        version=__version__,
        description="Your charger's book: chargers, sessions, energy and ERE credits.",
        openapi_tags=OPENAPI_TAGS,
        docs_url=None,  # our own /api/docs (web.api_docs): Swagger UI from our origin
        redoc_url=None,
        lifespan=background_lifespan(context, background=background, on_shutdown=shutdown),
    )
    app.state.context = context
    install_handlers(app)
    # Added last = outermost: the headers go on every answer, the 413s of BodyLimit included.
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.include_router(api_docs_router)
    app.include_router(api_router, prefix="/api/v1")
    app.include_router(pages_router)
    return app
