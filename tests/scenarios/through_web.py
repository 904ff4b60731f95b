"""The owner's year through the web (HTTP requests against the app, lifespan on): the owner
connects the myWallbox account and joins ERE in the connect wizard; the operator sets the
price, creates, finalizes and re-creates the quarter's batch, states it and marks it paid.

The wizard's detection finds the Copper SB's MID meter: it qualifies from its first
MID-metered session (December 2025), so every 2026 session counts. The Pulsar Plus joins
the same EAN in one step ("Add to my connection"), covered by the Copper SB's mandate; its
sessions are then held back for having no MID meter.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

import httpx
from argon2 import PasswordHasher
from fastapi import FastAPI

from chargebook.clock import FixedClock
from chargebook.db import Database, WallboxAccountRepository
from chargebook.db.ere.store import EreStore
from chargebook.domain.users import User, UserRole
from chargebook.ere import load_parameters
from chargebook.ere.service import eligibility_report
from chargebook.settings import Settings
from chargebook.simulator.wallbox import DEMO_EMAIL, DEMO_PASSWORD
from chargebook.web.accounts import AccountService
from chargebook.web.app import create_app
from chargebook.web.cookies import SESSION_COOKIE
from chargebook.web.page_services import backfills_of
from chargebook.web.security import csrf_token_for

from .year import EAN, FEE, NOW, OWNER_IBAN, PRICE, QUARTER

OWNER_EMAIL = "driver@example.com"
OPERATOR_EMAIL = "ops@example.com"
PASSWORD = "correct horse battery"
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
CLOCK = FixedClock(NOW.replace(hour=13))


def web_app(settings: Settings, database: Database) -> FastAPI:
    return create_app(
        settings, database=database, clock=CLOCK, password_hasher=FAST_HASHER, background=False
    )


@dataclass
class Browser:
    """A signed-in user's HTTP client with its CSRF token."""

    client: httpx.AsyncClient
    csrf: str

    async def post(self, path: str, **fields: str) -> httpx.Response:
        return await self.client.post(path, data={**fields, "csrf_token": self.csrf})


def add_user(app: FastAPI, email: str, role: UserRole) -> User:
    context = app.state.context
    with context.database.transaction() as session:
        return AccountService(session, context.clock, context.passwords).sign_up(
            email=email, password=PASSWORD, role=role
        )


def signed_in(app: FastAPI, user: User) -> Browser:
    context = app.state.context
    with context.database.transaction() as session:
        session_id = AccountService(session, context.clock, context.passwords).start_session(user)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("203.0.113.7", 5555)),
        base_url="http://testserver",
        follow_redirects=False,
    )
    client.cookies.set(SESSION_COOKIE, session_id)
    return Browser(client, csrf_token_for(context.box, session_id))


@dataclass(frozen=True)
class WebRun:
    joined: str  # where the wizard's EAN form led
    second_batch: tuple[int, str]  # status and page of creating the batch again
    quarter_reasons: dict[str, int]  # the quarter's sessions not eligible, per reason, after
    sepa: bytes  # the payout run's pain.001 file, as the operator downloaded it


def _expect(response: httpx.Response, status: int = 303) -> str:
    assert response.status_code == status, (response.status_code, response.text[:2000])
    return str(response.headers.get("location", ""))


async def walk_web(settings: Settings, database: Database) -> WebRun:
    app = web_app(settings, database)
    async with app.router.lifespan_context(app):
        owner = signed_in(app, add_user(app, OWNER_EMAIL, UserRole.OWNER))
        operator = signed_in(app, add_user(app, OPERATOR_EMAIL, UserRole.OPERATOR))
        try:
            return await _walk(app, database, owner, operator)
        finally:
            await owner.client.aclose()
            await operator.client.aclose()


async def _walk(app: FastAPI, database: Database, owner: Browser, operator: Browser) -> WebRun:
    context = app.state.context
    _expect(await owner.post("/connect/wallbox", email=DEMO_EMAIL, password=DEMO_PASSWORD))
    with database.session() as session:
        account = WallboxAccountRepository(session, context.box, CLOCK).find_by_email(DEMO_EMAIL)
        assert account is not None
        chargers = {c.charger.model: c.id for c in EreStore(session, CLOCK).chargers.list()}
        copper, pulsar = chargers["Copper SB"], chargers["Pulsar Plus"]
    await backfills_of(app).wait(account.id)  # the whole history is in the book
    _expect(await owner.post(f"/connect/{copper}/select"))
    joined = _expect(
        await owner.post(
            f"/connect/{copper}/ere",
            ean=EAN,
            connected_party_name="Scenario Owner",
            street="Demostraat",
            house_number="1",
            postal_code="9999 ZZ",
            city="Demodorp",
            signed_by_name="Scenario Owner",
            signed_on=NOW.date().isoformat(),
            last_year="2026",
            consent_grid_operator_data="on",
            consent_verifier_visit="on",
        )
    )
    with database.session() as session:
        (connection,) = EreStore(session, CLOCK).connections.list()
    _expect(await owner.post(f"/connect/{pulsar}/select"))
    _expect(await owner.post(f"/connect/{pulsar}/ere/attach", connection_id=str(connection.id)))
    q = QUARTER.label
    _expect(await operator.post("/operator/prices", period=q, price=str(PRICE)))
    batch_path = _expect(await operator.post("/operator/batches", period=q))
    batch_id = int(urlparse(batch_path).path.rsplit("/", 1)[-1])
    _expect(await operator.post(f"/operator/batches/{batch_id}/finalize"))
    again = await operator.post("/operator/batches", period=q)
    _expect(await operator.post("/operator/statements", period=q, fee=str(FEE)))
    _expect(await owner.post("/credits/payout-details", iban=OWNER_IBAN, holder="Scenario Owner"))
    _expect(await operator.post("/operator/payouts/sepa", period=q))
    sepa = await operator.client.get("/operator/payouts/runs/1.xml")
    _expect(sepa, 200)
    _expect(await operator.post("/operator/payouts/runs/1/paid", reference="WEB-1"))
    with database.session() as session:
        report = eligibility_report(
            EreStore(session, CLOCK), QUARTER, parameters=load_parameters(), now=CLOCK.now()
        )
    reasons = {code.value: count for code, count in report.failures.items()}
    return WebRun(joined, (again.status_code, again.text), reasons, sepa.content)
