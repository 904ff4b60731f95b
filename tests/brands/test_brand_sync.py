"""Issue 19's wiring with a fake brand: `connect_brand_account` signs in once and keeps the
tokens encrypted, `build_brand_sources` feeds the same sync engine as the Wallbox, and the
book gives each owner only their brand chargers; both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from chargebook.account_sources import close_sources
from chargebook.book.service import BookService
from chargebook.brand_connectors import build_brand_sources, connect_brand_account
from chargebook.clock import FixedClock
from chargebook.crypto import SecretBox, load_secret_box
from chargebook.db import ChargerRepository, Database, UserRepository, WallboxAccountRepository
from chargebook.db.accounts.brand_accounts import BrandAccountRepository
from chargebook.db.accounts.tables import BrandAccountRow
from chargebook.db.book.store import book_opener
from chargebook.db.book.tables import ChargingSessionRow
from chargebook.domain.access import Viewer
from chargebook.domain.brands import BrandLogin
from chargebook.domain.models import ChargerSource
from chargebook.errors import ConflictError, SignInRefusedError
from chargebook.settings import Settings
from chargebook.sync import SyncConfig, SyncEngine

from .fake_brand import (
    GUEST_EMAIL,
    GUEST_SECRET,
    OWNER_EMAIL,
    OWNER_SECRET,
    FakeConnector,
    easee_fleet,
    registry_with,
)


@pytest.fixture
def settings(isolated_data_dir: object) -> Settings:
    return Settings(easee_api_url="http://easee-simulator.test")


@pytest.fixture
def box(settings: Settings) -> SecretBox:
    return load_secret_box(settings)


def _login(email: str, secret: str) -> BrandLogin:
    return BrandLogin(source=ChargerSource.EASEE_CLOUD, username=email, secret=secret)


async def test_connect_signs_in_once_and_stores_the_tokens_encrypted(
    database: Database, box: SecretBox, settings: Settings, clock: FixedClock
) -> None:
    connector = FakeConnector(easee_fleet())
    registry = registry_with(connector)
    account = await connect_brand_account(
        settings, database, box, clock, login=_login(OWNER_EMAIL, OWNER_SECRET), registry=registry
    )
    assert connector.fleet.sign_ins == 1
    assert connector.clients[0].closed
    assert account.has_tokens
    assert account.source is ChargerSource.EASEE_CLOUD
    assert account.key == -account.id
    with database.session() as session:
        row = session.get(BrandAccountRow, account.id)
        assert row is not None
        stored = " ".join(
            [row.username_encrypted, row.secret_encrypted, row.tokens_encrypted or ""]
        )
        owner = UserRepository(session, clock).get_by_email(OWNER_EMAIL)
        tokens = BrandAccountRepository(session, box, clock).load_tokens(account.id)
    # Encrypted at rest: neither the login nor the token is in the row in the clear.
    for secret in (OWNER_EMAIL, OWNER_SECRET, "token-for"):
        assert secret not in stored
    assert tokens == {"access_token": f"token-for-{OWNER_EMAIL}"}
    assert owner is not None
    assert account.owner_user_id == owner.id
    assert OWNER_SECRET not in repr(_login(OWNER_EMAIL, OWNER_SECRET))

    with pytest.raises(ConflictError, match="already connected"):
        await connect_brand_account(
            settings,
            database,
            box,
            clock,
            login=_login(OWNER_EMAIL.upper(), OWNER_SECRET),
            registry=registry,
        )


async def test_a_refused_login_stores_nothing(
    database: Database, box: SecretBox, settings: Settings, clock: FixedClock
) -> None:
    registry = registry_with(FakeConnector(easee_fleet()))
    with pytest.raises(SignInRefusedError):
        await connect_brand_account(
            settings, database, box, clock, login=_login(OWNER_EMAIL, "wrong"), registry=registry
        )
    with database.session() as session:
        assert BrandAccountRepository(session, box, clock).list() == []


async def test_sync_through_build_sources_gives_each_owner_only_their_chargers(
    database: Database, box: SecretBox, settings: Settings, clock: FixedClock
) -> None:
    connector = FakeConnector(easee_fleet())
    registry = registry_with(connector)
    # A myWallbox account first: its id (1) must not be confused with brand account 1.
    with database.transaction() as session:
        wallbox_owner = UserRepository(session, clock).create(
            email="wallbox@example.com", password_hash="!"
        )
        wallbox = WallboxAccountRepository(session, box, clock).add(
            owner_user_id=wallbox_owner.id, email="wallbox@example.com", password="pw"
        )
    owner = await connect_brand_account(
        settings, database, box, clock, login=_login(OWNER_EMAIL, OWNER_SECRET), registry=registry
    )
    guest = await connect_brand_account(
        settings, database, box, clock, login=_login(GUEST_EMAIL, GUEST_SECRET), registry=registry
    )
    assert wallbox.id == owner.id == 1  # the two tables number apart; the keys do not

    sources = build_brand_sources(settings, database, box, clock, registry=registry)
    assert [(s.account_id, s.label, s.source) for s in sources] == [
        (owner.key, OWNER_EMAIL, ChargerSource.EASEE_CLOUD),
        (guest.key, GUEST_EMAIL, ChargerSource.EASEE_CLOUD),
    ]
    assert connector.base_urls[-1] == "http://easee-simulator.test"  # the settings' override
    engine = SyncEngine(book_opener(database, clock), clock, SyncConfig())
    try:
        report = await engine.sync_accounts(sources)
    finally:
        await close_sources(sources)
    assert all(client.closed for client in connector.clients)
    assert [a.error for a in report.accounts] == [None, None]
    assert connector.fleet.sign_ins == 2  # the stored tokens served the sync: no new sign-in

    with database.session() as session:
        repository = ChargerRepository(session, clock)
        chargers = {c.charger.external_id: c for c in repository.list()}
        assert set(chargers) == {"EH100001", "EH100002", "EH200001"}
        assert chargers["EH100001"].account_id == owner.key
        assert chargers["EH200001"].account_id == guest.key
        assert [c.charger.external_id for c in repository.list(account_id=guest.key)] == [
            "EH200001"
        ]
        assert repository.list(account_id=wallbox.id) == []
        sources_in_book = session.scalars(select(ChargingSessionRow.source)).all()
        assert sorted(sources_in_book) == ["easee_cloud"] * 6
        users = UserRepository(session, clock)
        seen_by_owner = BookService(session, Viewer(users.get(owner.owner_user_id)))
        mine = [c.charger.external_id for c in seen_by_owner.list_chargers()]
        theirs = BookService(session, Viewer(users.get(guest.owner_user_id)))
        assert sorted(mine) == ["EH100001", "EH100002"]
        assert [c.charger.external_id for c in theirs.list_chargers()] == ["EH200001"]
        assert seen_by_owner.count_sessions() == 5
        accounts = BrandAccountRepository(session, box, clock).list()
        wallbox_after = WallboxAccountRepository(session, box, clock).get(wallbox.id)
    # The outcome lands on the brand account's row, not on the myWallbox account with its id.
    assert [a.last_synced_at for a in accounts] == [clock.now(), clock.now()]
    assert wallbox_after.last_synced_at is None


async def test_the_budget_is_one_per_account_and_process(
    database: Database, box: SecretBox, settings: Settings, clock: FixedClock
) -> None:
    connector = FakeConnector(easee_fleet())
    registry = registry_with(connector)
    account = await connect_brand_account(
        settings, database, box, clock, login=_login(OWNER_EMAIL, OWNER_SECRET), registry=registry
    )
    first = build_brand_sources(settings, database, box, clock, registry=registry)
    second = build_brand_sources(settings, database, box, clock, registry=registry)
    await close_sources(first + second)
    assert connector.clients[-1].budget is connector.clients[-2].budget
    assert registry.budget(account.key, connector, clock) is connector.clients[-1].budget


async def test_accounts_of_a_brand_without_a_connector_are_left_alone(
    database: Database, box: SecretBox, settings: Settings, clock: FixedClock
) -> None:
    connector = FakeConnector(easee_fleet())
    await connect_brand_account(
        settings,
        database,
        box,
        clock,
        login=_login(OWNER_EMAIL, OWNER_SECRET),
        registry=registry_with(connector),
    )
    assert build_brand_sources(settings, database, box, clock, registry=registry_with()) == []
