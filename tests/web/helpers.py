"""Helpers of the web tests: a web app on a real book, three users and their clients.

`world` holds owner A, owner B and an operator, a charger and sessions for each owner, and a
signed-in httpx client per role (cookie + CSRF token) plus bearer tokens with every scope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import httpx
from argon2 import PasswordHasher
from fastapi import FastAPI

from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database
from chargebook.db.book.tables import ChargingSessionRow
from chargebook.db.core.canonical import canonical_json, sha256_hex
from chargebook.db.core.testing import example_charger
from chargebook.db.ere.statements import StatementRepository
from chargebook.db.ere.store import EreStore
from chargebook.domain.access import ApiScope
from chargebook.domain.ere import Address, DeliveryPeriod
from chargebook.domain.users import User, UserRole
from chargebook.ere import gs1_check_digit
from chargebook.ere.service import add_connection, add_mandate
from chargebook.settings import Settings
from chargebook.web.accounts import AccountService
from chargebook.web.app import create_app
from chargebook.web.context import WebContext
from chargebook.web.cookies import SESSION_COOKIE
from chargebook.web.security import csrf_token_for

PASSWORD = "correct horse battery"
PRICES_FILE = (
    Path(__file__).parent.parent
    / "fixtures"
    / "prices"
    / "energyzero-rest-quarter-2025-12-16_18.json"
)
# Cheap argon2 for tests: the parameters change the cost, not the code path.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def make_app(
    settings: Settings, database: Database, clock: FixedClock, **kwargs: object
) -> FastAPI:
    return create_app(
        settings,
        database=database,
        clock=clock,
        password_hasher=FAST_HASHER,
        background=False,
        **kwargs,  # type: ignore[arg-type]
    )


def context_of(app: FastAPI) -> WebContext:
    context: WebContext = app.state.context
    return context


def client_for(app: FastAPI, ip: str = "203.0.113.7") -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(ip, 5555)),
        base_url="http://testserver",
        follow_redirects=False,
    )


def csrf_from(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


@dataclass
class Actor:
    """A role in the matrix: its user (None = anonymous), browser client and bearer token."""

    name: str
    user: User | None
    client: httpx.AsyncClient
    csrf: str = ""
    token: str = ""

    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


@dataclass
class World:
    app: FastAPI
    database: Database
    clock: FixedClock
    actors: dict[str, Actor] = field(default_factory=dict)
    charger_ids: dict[str, int] = field(default_factory=dict)  # owner name -> charger id
    session_ids: dict[str, int] = field(default_factory=dict)  # owner name -> a session id
    statement_ids: dict[str, int] = field(default_factory=dict)  # owner name -> a statement
    mandate_ids: dict[str, int] = field(default_factory=dict)  # owner name -> a signed mandate


def add_user(app: FastAPI, email: str, role: UserRole = UserRole.OWNER) -> User:
    context = context_of(app)
    with context.database.transaction() as session:
        service = AccountService(session, context.clock, context.passwords)
        return service.sign_up(email=email, password=PASSWORD, role=role)


def sign_in(
    app: FastAPI, actor: Actor, *, scopes: frozenset[ApiScope] = frozenset(ApiScope)
) -> None:
    """Give the actor's client a session cookie and a bearer token (no HTTP round trip)."""
    assert actor.user is not None
    context = context_of(app)
    with context.database.transaction() as session:
        service = AccountService(session, context.clock, context.passwords)
        session_id = service.start_session(actor.user)
        _, actor.token = service.create_token(actor.user, name="tests", scopes=scopes)
    actor.client.cookies.set(SESSION_COOKIE, session_id)
    actor.csrf = csrf_token_for(context.box, session_id)


def add_sessions(
    database: Database, clock: FixedClock, charger_id: int, *, count: int, prefix: str
) -> list[int]:
    """Insert `count` ok sessions, one a day back from the clock; returns their ids."""
    ids = []
    with database.transaction() as session:
        for index in range(count):
            raw = {"id": f"{prefix}{index}"}
            text = canonical_json(raw)
            started = clock.now() - timedelta(days=index + 1)
            row = ChargingSessionRow(
                charger_id=charger_id,
                source="wallbox_cloud",
                external_id=f"{prefix}{index}",
                started_at=started,
                ended_at=started + timedelta(hours=2),
                energy_kwh=Decimal("7.5"),
                discharged_energy_kwh=Decimal("0"),
                raw_payload=text,
                raw_sha256=sha256_hex(text),
                state="ok",
                first_seen_at=clock.now(),
                last_seen_at=clock.now(),
            )
            session.add(row)
            session.flush()
            ids.append(row.id)
    return ids


async def build_world(app: FastAPI) -> World:
    context = context_of(app)
    world = World(app, context.database, context.clock)  # type: ignore[arg-type]
    world.actors["anonymous"] = Actor("anonymous", None, client_for(app))
    # Each person on their own device (IP): sign-in throttling counts per account and client.
    for index, (name, role) in enumerate((("owner_a", UserRole.OWNER),
                                          ("owner_b", UserRole.OWNER),
                                          ("operator", UserRole.OPERATOR))):  # fmt: skip
        client = client_for(app, f"203.0.113.{10 + index}")
        actor = Actor(name, add_user(app, f"{name}@example.com", role), client)
        sign_in(app, actor)
        world.actors[name] = actor
    for index, name in enumerate(("owner_a", "owner_b")):
        user = world.actors[name].user
        assert user is not None
        with context.database.transaction() as session:
            stored = ChargerRepository(session, context.clock).upsert(
                example_charger(f"{70000 + index}"), owner_user_id=user.id
            )
        world.charger_ids[name] = stored.id
        world.session_ids[name] = add_sessions(
            context.database, world.clock, stored.id, count=3, prefix=f"{name}-"
        )[0]
        with context.database.transaction() as session:
            statement = StatementRepository(session, context.clock).add_statement(
                customer_id=user.id,
                period=DeliveryPeriod(2026, 1),
                eans=["871234567890123456"],
                energy_kwh=Decimal("22.5"),
                energy_kwh_by_month=[("2026-01", Decimal("22.5"))],
                ere=Decimal("9"),
                is_estimate=False,
                price_eur_per_ere=Decimal("0.10"),
                fee_rate=Decimal("0.2"),
                gross_eur=Decimal("0.90"),
                fee_eur=Decimal("0.18"),
                payout_eur=Decimal("0.72"),
                line_ids=[],
            )
        world.statement_ids[name] = statement.id
    return world


def mandate_ids(world: World) -> dict[str, int]:
    """Each owner's signed mandate (their connection, their charger behind it), signed on
    first use: tests that count connections keep a world without them."""
    if not world.mandate_ids:
        for index, name in enumerate(("owner_a", "owner_b")):
            user = world.actors[name].user
            assert user is not None
            world.mandate_ids[name] = _sign_mandate(world, user, world.charger_ids[name], index)
    return world.mandate_ids


def _sign_mandate(world: World, user: User, charger_id: int, index: int) -> int:
    """The owner's connection and a mandate for 2026, as the wizard records them."""
    body = f"871{index + 1:014d}"
    ean = body + str(gs1_check_digit(body))
    with world.database.transaction() as session:
        store = EreStore(session, world.clock)
        add_connection(store, ean=ean, customer_email=user.email, connected_party_name=user.email,
                       address=Address("Laan", "1", "1234 AB", "Utrecht"),
                       charger_ids=[charger_id])  # fmt: skip
        signed = add_mandate(store, ean=ean, service_provider_id="chargebook", first_year=2026,
                             last_year=2026, consent_grid_operator_data=True,
                             consent_verifier_visit=True, signed_by_name=user.email,
                             signed_on=world.clock.now().date())  # fmt: skip
    return signed.stored.id
