"""Every door syncs with the settings' config (`account_sources.sync_config`): `serve`'s
scheduler and backfills, the worker, `chargebook sync`'s defaults. Before issue 16 `serve`
synced with `SyncConfig()` whatever the settings said."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from chargebook.account_sources import budget_registry, connect_account, sync_config
from chargebook.brand_connectors import BrandRegistry
from chargebook.cli.sync import _sync_config
from chargebook.clock import Clock, FixedClock
from chargebook.crypto import SecretBox, load_secret_box
from chargebook.db import Database, SessionRepository
from chargebook.db.core.testing import SqliteTemplate, sqlite_url
from chargebook.jobs.worker_jobs import WorkerRuntime
from chargebook.serve.backfill import Backfills
from chargebook.serve.runtime import run_scheduler
from chargebook.settings import Settings
from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator
from chargebook.sync import SyncConfig
from chargebook.wallbox import BudgetRegistry

SIM_URL = "http://wallbox-simulator.invalid"


@dataclass(eq=False)
class Parts:
    """The runtime's parts without any web app (`serve.parts.RuntimeParts`)."""

    settings: Settings
    database: Database
    box: SecretBox
    clock: Clock
    budgets: BudgetRegistry | None = None
    wallbox_transport: httpx.AsyncBaseTransport | None = None
    brands: BrandRegistry | None = None


def _settings(tmp_path: Path, database_url: str, **changes: object) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        secret_key=SecretStr(Fernet.generate_key().decode()),
        wallbox_api_url=SIM_URL,
        wallbox_auth_url=SIM_URL,
        wallbox_partner_mode=True,
        **changes,  # type: ignore[arg-type]
    )


async def _scheduler_config(settings: Settings, database: Database, clock: Clock) -> SyncConfig:
    parts = Parts(settings, database, load_secret_box(settings), clock)
    async with run_scheduler(parts) as scheduler:
        assert scheduler.engine is not None
        return scheduler.engine.config


def _cli_default_config(settings: Settings) -> SyncConfig:
    return _sync_config(
        settings,
        window_days=None,
        overlap_days=None,
        history_years=None,
        batch_size=None,
        concurrency=None,
    )


@pytest.fixture
async def book_url(
    _sqlite_template: SqliteTemplate, tmp_path: Path
) -> AsyncIterator[tuple[Database, str]]:
    database = _sqlite_template.clone(tmp_path / "book.sqlite3")
    yield database, sqlite_url(tmp_path / "book.sqlite3")
    database.dispose()


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"worker_sync_batch_size": 17},
        {"worker_sync_history_years": 0.5, "worker_sync_window_days": 30.0},
    ],
)
async def test_serve_scheduler_worker_and_cli_sync_with_the_same_config(
    book_url: tuple[Database, str], tmp_path: Path, clock: FixedClock, changes: dict[str, object]
) -> None:
    database, url = book_url
    settings = _settings(tmp_path, url, **changes)
    worker = WorkerRuntime.open(settings, clock=clock)  # what `chargebook worker` builds
    try:
        expected = sync_config(settings)
        assert worker.engine.config == expected
        assert await _scheduler_config(settings, database, clock) == expected
        assert _cli_default_config(settings) == expected
    finally:
        worker.close()
    if changes:  # the changed setting reached every door
        assert expected != sync_config(_settings(tmp_path, url))


def test_a_cli_option_overrides_the_setting_and_bad_values_are_refused(tmp_path: Path) -> None:
    import typer

    settings = _settings(tmp_path, "sqlite://", worker_sync_batch_size=17)
    config = _sync_config(
        settings, window_days=None, overlap_days=None, history_years=1,
        batch_size=None, concurrency=2,
    )  # fmt: skip
    assert config.batch_size == 17
    assert config.max_concurrent_accounts == 2
    assert config.max_history == config.backfill_window == timedelta(days=365.25)
    with pytest.raises(typer.BadParameter):
        _sync_config(
            settings, window_days=None, overlap_days=-1, history_years=None,
            batch_size=None, concurrency=None,
        )  # fmt: skip


async def test_a_backfill_reads_only_the_configured_history(
    database: Database, tmp_path: Path, clock: FixedClock
) -> None:
    """A 30-day horizon in the settings: the wizard's backfill imports the last 30 days of a
    120-day history, not all of it (it used `SyncConfig()`, a 10-year horizon)."""
    simulator = WallboxSimulator(
        SimulatorConfig(seed=5, accounts=1, chargers_per_account=1, days=120, partner_mode=True),
        clock=clock,
    )
    transport = httpx.ASGITransport(app=simulator.app)
    horizon_days = 30
    settings = _settings(tmp_path, "sqlite://", worker_sync_history_years=horizon_days / 365.25)
    box = load_secret_box(settings)
    parts = Parts(settings, database, box, clock, budget_registry(settings, clock), transport)
    account = await connect_account(
        settings, database, box, clock,
        email="demo@example.com", password="demo-password", transport=transport,
    )  # fmt: skip
    finished: list[bool] = []
    backfills = Backfills(parts, on_finished=lambda: finished.append(True))
    backfills.start(account)
    await backfills.wait(account.id)
    status = backfills.status(account.id)
    assert status is not None
    assert status.error is None
    assert finished == [True]

    with database.session() as session:
        rows = SessionRepository(session).list()
    starts = [row.started_at for row in rows if row.started_at is not None]
    assert starts, "the last 30 days hold sessions"
    oldest_allowed = clock.now() - timedelta(days=horizon_days)
    assert min(starts) >= oldest_allowed - timedelta(days=1)
    # The simulator's history goes back 120 days: older sessions were there to read.
    simulated = [
        planned.start
        for charger_id in simulator.chargers
        for planned, _ in simulator.ended_sessions(charger_id)
    ]
    assert min(simulated) < oldest_allowed - timedelta(days=60)
