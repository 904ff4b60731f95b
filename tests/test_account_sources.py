"""build_sources: one TLS context for every account's HTTP transport, separate pools."""

from __future__ import annotations

import httpx

from chargebook.account_sources import CountedCloud, build_sources, close_sources
from chargebook.clock import FixedClock
from chargebook.crypto import load_secret_box
from chargebook.db import Database
from chargebook.db.accounts.users import UserRepository
from chargebook.db.accounts.wallbox_accounts import WallboxAccountRepository
from chargebook.settings import Settings


def add_accounts(database: Database, settings: Settings, clock: FixedClock, count: int) -> None:
    box = load_secret_box(settings)
    with database.transaction() as session:
        for n in range(count):
            owner = UserRepository(session, clock).create(
                email=f"owner{n}@example.com", password_hash="!"
            )
            WallboxAccountRepository(session, box, clock).add(
                owner_user_id=owner.id, email=f"owner{n}@example.com", password="pw"
            )


def tls_pool(cloud: object) -> object:
    assert isinstance(cloud, CountedCloud)
    inner = cloud._transport._inner  # private: what the sources were built with
    assert isinstance(inner, httpx.AsyncHTTPTransport)
    return inner._pool


def tls_context(cloud: object) -> object:
    return tls_pool(cloud)._ssl_context  # type: ignore[attr-defined]


async def test_accounts_share_one_tls_context_but_not_a_pool(
    database: Database, clock: FixedClock, isolated_data_dir: object
) -> None:
    settings = Settings()
    add_accounts(database, settings, clock, 3)
    sources = build_sources(settings, database, load_secret_box(settings), clock)
    try:
        assert len(sources) == 3
        contexts = {id(tls_context(source.cloud)) for source in sources}
        assert len(contexts) == 1
        pools = {id(tls_pool(source.cloud)) for source in sources}
        assert len(pools) == 3
    finally:
        await close_sources(sources)
