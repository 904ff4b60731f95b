"""Issue 14 (HIGH): a second myWallbox account that sees the same chargers (the simulator's
guest@example.com, a "user" share of the demo chargers) never takes them over through the
connect wizard; its owner is told, its book stays empty of them; on both databases."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from chargebook.clock import FixedClock
from chargebook.db import (
    AuditLogRepository,
    ChargerRepository,
    Database,
    WallboxAccountRepository,
)
from chargebook.db.book.tables import ChargingSessionRow
from chargebook.db.book.transfers import AUDIT_ACTION
from chargebook.domain.stored import StoredCharger
from chargebook.domain.users import UserRole
from chargebook.settings import Settings
from chargebook.simulator.wallbox import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    GUEST_EMAIL,
    GUEST_PASSWORD,
    SimulatorConfig,
    WallboxSimulator,
)
from chargebook.web.page_services import backfills_of

from .helpers import Actor, add_user, client_for, context_of, make_app, sign_in


@dataclass
class Book:
    app: FastAPI
    database: Database
    a: Actor
    b: Actor

    async def connect(self, actor: Actor, email: str, password: str) -> httpx.Response:
        response = await actor.client.post(
            "/connect/wallbox",
            data={"email": email, "password": password, "csrf_token": actor.csrf},
        )
        await backfills_of(self.app).wait(self.account_id(email))
        return response

    def account_id(self, email: str) -> int:
        context = context_of(self.app)
        with self.database.session() as session:
            found = WallboxAccountRepository(session, context.box, context.clock).find_by_email(
                email
            )
        assert found is not None
        return found.id

    def chargers(self) -> list[StoredCharger]:
        with self.database.session() as session:
            return ChargerRepository(session, context_of(self.app).clock).list()

    def session_count(self) -> int:
        with self.database.session() as session:
            return session.scalar(select(func.count()).select_from(ChargingSessionRow)) or 0


@pytest.fixture
async def book(
    web_settings: Settings, database: Database, clock: FixedClock
) -> AsyncIterator[Book]:
    simulator = WallboxSimulator(
        SimulatorConfig(seed=1, accounts=1, chargers_per_account=2, days=20, partner_mode=True),
        clock=clock,
    )
    settings = web_settings.model_copy(update={"wallbox_partner_mode": True})
    transport = httpx.ASGITransport(app=simulator.app)
    app = make_app(settings, database, clock, wallbox_transport=transport)
    async with app.router.lifespan_context(app):
        a = Actor("a", add_user(app, "alice@example.com"), client_for(app))
        b = Actor("b", add_user(app, "bob@example.com"), client_for(app))
        sign_in(app, a)
        sign_in(app, b)
        yield Book(app, database, a, b)
        await a.client.aclose()
        await b.client.aclose()


async def _api_sessions(actor: Actor) -> list[dict[str, object]]:
    answer = await actor.client.get("/api/v1/sessions?limit=500", headers=actor.bearer())
    assert answer.status_code == 200
    items: list[dict[str, object]] = answer.json()["items"]
    return items


async def _transfer(actor: Actor, charger_id: int, email: str) -> httpx.Response:
    data = {"charger_id": str(charger_id), "email": email, "csrf_token": actor.csrf}
    return await actor.client.post("/operator/transfers", data=data)


async def _csv_rows(actor: Actor) -> list[list[str]]:
    answer = await actor.client.get("/sessions/export.csv")
    assert answer.status_code == 200
    return list(csv.reader(io.StringIO(answer.text)))[1:]


async def test_a_shared_account_never_takes_over_the_chargers(book: Book) -> None:
    first = await book.connect(book.a, DEMO_EMAIL, DEMO_PASSWORD)
    assert first.status_code == 303
    assert book.a.user is not None
    assert book.b.user is not None
    before = book.chargers()
    assert len(before) == 2
    assert {c.owner_user_id for c in before} == {book.a.user.id}
    a_sessions = await _api_sessions(book.a)
    a_csv = await _csv_rows(book.a)
    stored = book.session_count()
    assert a_sessions
    assert len(a_csv) == len(a_sessions) == stored

    second = await book.connect(book.b, GUEST_EMAIL, GUEST_PASSWORD)

    # The book: same owner, same account, same facts' row; no session duplicated or moved.
    after = book.chargers()
    assert [(c.id, c.owner_user_id, c.account_id) for c in after] == [
        (c.id, c.owner_user_id, c.account_id) for c in before
    ]
    assert book.session_count() == stored
    # B is told, on the wizard's page, which chargers and what to do.
    assert second.status_code == 200
    assert "Already connected by another chargebook user" in second.text
    for charger in before:
        assert charger.charger.name in second.text
    assert "ask the operator to transfer it" in second.text
    # A still sees everything; B sees nothing of it (pages, API, CSV).
    assert await _api_sessions(book.a) == a_sessions
    assert await _csv_rows(book.a) == a_csv
    assert await _api_sessions(book.b) == []
    assert await _csv_rows(book.b) == []
    b_chargers = await book.b.client.get("/api/v1/chargers", headers=book.b.bearer())
    assert b_chargers.json() == []
    for charger in before:
        assert (await book.a.client.get(f"/chargers/{charger.id}")).status_code == 200
        assert (await book.b.client.get(f"/chargers/{charger.id}")).status_code == 404
        assert (await book.b.client.get(f"/connect/{charger.id}/meter")).status_code == 404
    b_page = await book.b.client.get("/sessions")
    assert b_page.status_code == 200
    for charger in before:
        assert charger.charger.name not in b_page.text


async def test_connecting_the_same_chargers_again_under_the_owner_changes_nothing(
    book: Book,
) -> None:
    """A's second run of the wizard (another of her accounts seeing them): still hers."""
    await book.connect(book.a, DEMO_EMAIL, DEMO_PASSWORD)
    before = book.chargers()
    context = context_of(book.app)
    with book.database.transaction() as session:
        assert book.a.user is not None
        guest = WallboxAccountRepository(session, context.box, context.clock).add(
            owner_user_id=book.a.user.id, email=GUEST_EMAIL, password=GUEST_PASSWORD
        )
        for stored in before:
            again = ChargerRepository(session, context.clock).upsert(
                stored.charger, account_id=guest.id, owner_user_id=book.a.user.id
            )
            assert again.owner_user_id == book.a.user.id
    assert {c.owner_user_id for c in book.chargers()} == {book.a.user.id}


async def test_operator_transfer_keeps_the_earlier_owners_book_and_moves_the_charger(
    book: Book, clock: FixedClock
) -> None:
    """A house sale: the operator transfers one of A's chargers to B in the console."""
    operator = Actor("op", add_user(book.app, "op@example.com", UserRole.OPERATOR),
                     client_for(book.app))  # fmt: skip
    sign_in(book.app, operator)
    await book.connect(book.a, DEMO_EMAIL, DEMO_PASSWORD)
    sold, kept = book.chargers()
    a_sessions = await _api_sessions(book.a)
    stored = book.session_count()
    assert book.a.user is not None
    assert book.b.user is not None
    assert operator.user is not None

    unknown = await _transfer(operator, sold.id, "nobody@example.com")
    assert unknown.status_code == 422
    by_owner = await _transfer(book.a, sold.id, "bob@example.com")
    assert by_owner.status_code == 403
    done = await _transfer(operator, sold.id, "bob@example.com")
    assert done.status_code == 303
    sold_at = clock.now()
    again = await _transfer(operator, sold.id, "bob@example.com")
    assert again.status_code == 409
    console = await operator.client.get("/operator")
    assert console.status_code == 200
    assert "owner until" in console.text
    with book.database.session() as session:
        (entry,) = AuditLogRepository(session, clock).list(action=AUDIT_ACTION)
    assert entry.actor == f"operator:{operator.user.id}"
    assert entry.payload["from_user_id"] == book.a.user.id
    assert entry.payload["to_user_id"] == book.b.user.id

    # A keeps every session and her (now read-only) row of the sold charger.
    assert await _api_sessions(book.a) == a_sessions
    page = await book.a.client.get(f"/chargers/{sold.id}")
    assert page.status_code == 200
    assert 'data-testid="transferred"' in page.text
    assert 'data-testid="pause"' not in page.text
    refused = await book.a.client.post(
        f"/api/v1/chargers/{sold.id}/commands/pause", headers=book.a.bearer()
    )
    assert refused.status_code == 409
    assert (await book.a.client.get(f"/chargers/{sold.id}/plan")).status_code == 404

    # B connects his myWallbox account: the sold charger is his from now on, the other
    # one is still A's and B is told so.
    clock.advance(timedelta(days=2))
    connected = await book.connect(book.b, GUEST_EMAIL, GUEST_PASSWORD)
    assert connected.status_code == 200
    assert kept.charger.name in connected.text
    assert "Already connected by another chargebook user" in connected.text
    by_id = {c.id: c for c in book.chargers()}
    assert by_id[sold.id].owner_user_id == book.a.user.id
    assert by_id[sold.id].transferred
    assert by_id[kept.id].owner_user_id == book.a.user.id
    (current,) = [c for c in by_id.values() if c.owner_user_id == book.b.user.id]
    assert current.charger.external_id == sold.charger.external_id
    assert current.account_id == book.account_id(GUEST_EMAIL)
    b_sessions = await _api_sessions(book.b)
    assert b_sessions  # the simulator charged once in the two days after the sale
    assert all(s["charger_id"] == current.id for s in b_sessions)
    assert all(datetime.fromisoformat(str(s["started_at"])) >= sold_at for s in b_sessions)
    assert await _api_sessions(book.a) == a_sessions
    assert book.session_count() == stored + len(b_sessions)
    assert (await book.b.client.get(f"/chargers/{current.id}")).status_code == 200
    assert (await book.b.client.get(f"/chargers/{sold.id}")).status_code == 404
