"""Fixtures of the web tests (helpers in helpers.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from fastapi import FastAPI
from pydantic import SecretStr

from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.db.core.testing import SqliteTemplate
from chargebook.prices import FilePriceSource
from chargebook.settings import Settings

from .helpers import PRICES_FILE, World, build_world, context_of, make_app


@pytest.fixture
def web_settings(isolated_data_dir: Path) -> Settings:
    return Settings(
        data_dir=isolated_data_dir,
        secret_key=SecretStr(Fernet.generate_key().decode()),
        web_cookie_secure=False,
        wallbox_api_url="http://wallbox-simulator.invalid",
        wallbox_auth_url="http://wallbox-simulator.invalid",
    )


@pytest.fixture
def sqlite_database(_sqlite_template: SqliteTemplate, tmp_path: Path) -> Iterator[Database]:
    database = _sqlite_template.clone(tmp_path / "web.sqlite3")
    yield database
    database.dispose()


@pytest.fixture
async def app(
    web_settings: Settings, sqlite_database: Database, clock: FixedClock
) -> AsyncIterator[FastAPI]:
    app = make_app(web_settings, sqlite_database, clock)
    # Plan previews read recorded prices, never the network (16-18 Dec 2025).
    context_of(app).prices = FilePriceSource(PRICES_FILE)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def world(app: FastAPI) -> AsyncIterator[World]:
    world = await build_world(app)
    yield world
    for actor in world.actors.values():
        await actor.client.aclose()
