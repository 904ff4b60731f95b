"""Issue 19's wiring with a fake brand: a brand charger is commanded through the one
`ChargerControls` (its account's client, opened at the first command and sharing the
account's budget), and the worker syncs brand accounts by their key."""

from __future__ import annotations

import pytest

from chargebook.brand_connectors import connect_brand_account
from chargebook.charger_controls import BrandAccountControls, ChargerControls
from chargebook.clock import FixedClock
from chargebook.crypto import SecretBox, load_secret_box
from chargebook.db import ChargerRepository, Database, UserRepository
from chargebook.db.book.transfers import transfer_charger
from chargebook.domain.brands import BrandLogin
from chargebook.domain.control import ControlNotSupportedError
from chargebook.domain.models import ChargerSource
from chargebook.domain.stored import StoredCharger
from chargebook.domain.users import BrandAccount
from chargebook.errors import NotFoundError
from chargebook.jobs.worker_jobs import WorkerRuntime
from chargebook.settings import Settings

from .fake_brand import OWNER_EMAIL, OWNER_SECRET, FakeConnector, easee_fleet, registry_with


@pytest.fixture
def settings(isolated_data_dir: object) -> Settings:
    return Settings()


@pytest.fixture
def box(settings: Settings) -> SecretBox:
    return load_secret_box(settings)


async def _connected(
    database: Database,
    box: SecretBox,
    settings: Settings,
    clock: FixedClock,
    connector: FakeConnector,
) -> tuple[BrandAccount, StoredCharger]:
    login = BrandLogin(ChargerSource.EASEE_CLOUD, OWNER_EMAIL, OWNER_SECRET)
    account = await connect_brand_account(
        settings, database, box, clock, login=login, registry=registry_with(connector)
    )
    charger = connector.fleet.chargers[OWNER_EMAIL][0]
    with database.transaction() as session:
        stored = ChargerRepository(session, clock).upsert(
            charger, account_id=account.key, owner_user_id=account.owner_user_id
        )
    return account, stored


async def test_commands_go_through_the_accounts_client_opened_once(
    database: Database, box: SecretBox, settings: Settings, clock: FixedClock
) -> None:
    connector = FakeConnector(easee_fleet())
    account, stored = await _connected(database, box, settings, clock, connector)
    registry = registry_with(connector)
    brand_controls = BrandAccountControls(settings, database, box, clock, registry=registry)
    controls = ChargerControls()
    controls.use_brand_accounts(brand_controls)
    opened = len(connector.clients)

    control = controls.for_charger(stored)
    assert len(connector.clients) == opened  # nothing opened before a command needs it
    await control.set_charging(stored.charger.external_id, False)
    await control.set_current(stored.charger.external_id, 10)
    status = await controls.for_charger(stored).read(stored.charger.external_id)
    assert status.charging_power_kw == 7.2
    assert connector.fleet.commands == [
        ("EH100001", "charging", False),
        ("EH100001", "current", 10),
    ]
    assert len(connector.clients) == opened + 1  # one client for the account's commands
    client = connector.clients[-1]
    assert client.budget is registry.budget(account.key, connector, clock)  # shared budget
    assert connector.fleet.sign_ins == 1  # the stored token served the commands
    with pytest.raises(ControlNotSupportedError):
        await control.set_locked(stored.charger.external_id, True)
    await brand_controls.aclose()
    assert client.closed


async def test_a_charger_without_its_account_or_brand_cannot_be_commanded(
    database: Database, box: SecretBox, settings: Settings, clock: FixedClock
) -> None:
    connector = FakeConnector(easee_fleet())
    _, stored = await _connected(database, box, settings, clock, connector)
    controls = ChargerControls()
    controls.use_brand_accounts(
        BrandAccountControls(settings, database, box, clock, registry=registry_with(connector))
    )
    orphan = StoredCharger(
        id=stored.id,
        charger=stored.charger,
        account_id=None,
        owner_user_id=stored.owner_user_id,
        created_at=stored.created_at,
        updated_at=stored.updated_at,
    )
    with pytest.raises(NotFoundError, match="no connected account"):
        await controls.for_charger(orphan).set_charging("EH100001", True)
    # A registry without the brand registers no factory for it.
    bare = ChargerControls()
    bare.use_brand_accounts(
        BrandAccountControls(settings, database, box, clock, registry=registry_with())
    )
    with pytest.raises(ControlNotSupportedError):
        bare.for_charger(stored)


async def test_the_worker_syncs_a_brand_account_by_its_key(
    database: Database, box: SecretBox, settings: Settings, clock: FixedClock
) -> None:
    connector = FakeConnector(easee_fleet())
    account, _ = await _connected(database, box, settings, clock, connector)
    runtime = WorkerRuntime(settings, database, box, clock, brands=registry_with(connector))
    assert runtime.enabled_account_ids() == [account.key]
    report = await runtime.sync_account(account.key)
    assert report is not None
    assert report.error is None
    assert (report.chargers, report.new) == (2, 5)
    assert await runtime.sync_account(account.key - 1) is None  # gone: the job is skipped
    assert all(client.closed for client in connector.clients)


async def test_a_brand_charger_is_transferred_like_a_wallbox_one(
    database: Database, box: SecretBox, settings: Settings, clock: FixedClock
) -> None:
    connector = FakeConnector(easee_fleet())
    account, stored = await _connected(database, box, settings, clock, connector)
    with database.transaction() as session:
        UserRepository(session, clock).create(email="buyer@example.com", password_hash="!")
        done = transfer_charger(
            session, clock, charger_id=stored.id, to_email="buyer@example.com", actor="test"
        )
        repository = ChargerRepository(session, clock)
        earlier, successor = (
            repository.get(done.earlier_charger_id),
            repository.get(done.charger_id),
        )
    assert earlier.account_id == account.key  # the seller's row keeps its account
    assert earlier.transferred
    assert successor.account_id is None  # the buyer's own account sync sets it
    assert successor.owner_user_id == done.to_user_id
