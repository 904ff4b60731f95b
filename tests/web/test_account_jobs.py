"""`serve`'s scheduler (serve.scheduler): it runs on its own loop in a thread, so a sync that
waits for SQLite's write lock does not stall requests; accounts connected through the wizard
get their sync + recorder jobs without a restart, and disabled accounts lose them."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from chargebook.account_sources import connect_account
from chargebook.clock import FixedClock
from chargebook.db import Database, SessionRepository, WallboxAccountRepository
from chargebook.settings import Settings
from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator
from chargebook.web.app import create_app
from chargebook.web.context import WebContext
from chargebook.web.page_services import backfills_of

from .helpers import FAST_HASHER, Actor, add_user, client_for, context_of, sign_in


class WallClock:
    """The fixture's fixed start, moving on in real time (the scheduler really waits)."""

    def __init__(self, start: datetime) -> None:
        self._start, self._began = start, time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._began)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


@dataclass
class Served:
    app: FastAPI
    context: WebContext
    database: Database
    owner: Actor


async def _wait_for(condition: Callable[[], bool], timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


def _jobs(context: WebContext) -> set[tuple[str, str]]:
    assert context.scheduler is not None
    return {job.ident for job in context.scheduler.jobs}


@pytest.fixture
async def served(
    web_settings: Settings, sqlite_database: Database, clock: FixedClock
) -> AsyncIterator[Served]:
    wall = WallClock(clock.now())
    simulator = WallboxSimulator(
        SimulatorConfig(seed=3, accounts=1, chargers_per_account=1, days=3, partner_mode=True),
        clock=wall,  # type: ignore[arg-type]
    )
    settings = web_settings.model_copy(
        update={
            "wallbox_partner_mode": True,
            "web_run_central_system": False,
            "web_run_smart_charging": False,
            "web_accounts_check_s": 0.2,
        }
    )
    app = create_app(  # background=True: the lifespan `serve` runs
        settings, database=sqlite_database, clock=wall, password_hasher=FAST_HASHER,
        wallbox_transport=httpx.ASGITransport(app=simulator.app), background=True,
    )  # fmt: skip
    async with app.router.lifespan_context(app):
        owner = Actor("owner", add_user(app, "driver@example.com"), client_for(app))
        sign_in(app, owner)
        yield Served(app, context_of(app), sqlite_database, owner)
        await owner.client.aclose()


async def test_wizard_account_gets_jobs_and_a_disabled_one_loses_them(served: Served) -> None:
    context = served.context
    assert context.scheduler is not None
    await _wait_for(lambda: ("accounts", "*") in _jobs(context))
    assert context.scheduler.account_ids == set()

    response = await served.owner.client.post(
        "/connect/wallbox",
        data={"email": "demo@example.com", "password": "demo-password",
              "csrf_token": served.owner.csrf},
    )  # fmt: skip
    assert response.status_code == 303
    with served.database.session() as session:
        accounts = WallboxAccountRepository(session, context.box, context.clock)
        found = accounts.find_by_email("demo@example.com")
    assert found is not None
    key = str(found.id)
    backfills = backfills_of(served.app)
    await backfills.wait(found.id)
    await _wait_for(lambda: {("sync", key), ("record", key)} <= _jobs(context))
    assert context.scheduler.account_ids == {found.id}

    with served.database.transaction() as session:
        WallboxAccountRepository(session, context.box, context.clock).set_disabled(found.id, True)
    # No refresh call: the periodic check (every 0.2 s here) notices.
    await _wait_for(lambda: not {("sync", key), ("record", key)} & _jobs(context))
    assert context.scheduler.account_ids == set()
    assert ("accounts", "*") in _jobs(context)


async def test_a_sync_waiting_for_the_write_lock_does_not_stall_requests(
    served: Served, clock: FixedClock
) -> None:
    context = served.context
    account = await connect_account(
        context.settings, served.database, context.box, context.clock,
        email="demo@example.com", password="demo-password",
        transport=context.wallbox_transport, owner_user_id=served.owner.user.id,  # type: ignore[union-attr]
    )  # fmt: skip
    scheduler = context.scheduler
    assert scheduler is not None
    scheduler.refresh()
    key = str(account.id)
    await _wait_for(lambda: ("sync", key) in _jobs(context))
    assert scheduler.loop is not None
    assert scheduler.loop is not asyncio.get_running_loop()

    # Another writer holds SQLite's write lock (up to the 30 s busy timeout for the sync).
    path = served.database.engine.url.database
    assert path is not None
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        sync_job = next(job for job in scheduler.jobs if job.ident == ("sync", key))
        scheduler.run_soon("sync", key)
        await _wait_for(lambda: sync_job.task is not None and not sync_job.task.done())
        began = time.monotonic()
        await asyncio.sleep(0.3)  # the sync reaches its first write and waits for the lock
        page = await served.owner.client.get("/login")
        assert page.status_code in (200, 303)
        assert time.monotonic() - began < 3.0, "a request waited for the scheduler's sync"
        assert sync_job.task is not None
        assert not sync_job.task.done()  # still waiting for the lock
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    await _wait_for(lambda: sync_job.runs >= 1, timeout_s=30)
    assert sync_job.failures == 0
    with served.database.session() as session:
        assert SessionRepository(session).count() > 0


async def test_a_periodic_sync_is_skipped_while_the_account_is_leased(served: Served) -> None:
    context = served.context
    account = await connect_account(
        context.settings, served.database, context.box, context.clock,
        email="demo@example.com", password="demo-password",
        transport=context.wallbox_transport, owner_user_id=served.owner.user.id,  # type: ignore[union-attr]
    )  # fmt: skip
    scheduler = context.scheduler
    assert scheduler is not None
    key = str(account.id)
    await _wait_for(lambda: ("sync", key) in _jobs(context))
    sync_job = next(job for job in scheduler.jobs if job.ident == ("sync", key))
    leases = backfills_of(served.app).leases
    assert leases.try_acquire(account.id)  # as a backfill of the account would
    try:
        scheduler.run_soon("sync", key)
        await _wait_for(lambda: sync_job.runs >= 1)
        with served.database.session() as session:
            assert SessionRepository(session).count() == 0  # the turn was skipped
    finally:
        leases.release(account.id)
    scheduler.run_soon("sync", key)
    await _wait_for(lambda: sync_job.runs >= 2, timeout_s=30)
    assert sync_job.failures == 0
    with served.database.session() as session:
        assert SessionRepository(session).count() > 0


async def test_the_first_periodic_sync_comes_a_sync_interval_after_the_backfill(
    served: Served,
) -> None:
    # Right after the wizard's backfill a periodic sync would spend the account's reads on
    # what was just read (groups plus one read per charger): it waits its interval.
    from chargebook.jobs.book_jobs import SYNC_INTERVAL_S

    context = served.context
    assert context.scheduler is not None
    response = await served.owner.client.post(
        "/connect/wallbox",
        data={"email": "demo@example.com", "password": "demo-password",
              "csrf_token": served.owner.csrf},
    )  # fmt: skip
    assert response.status_code == 303
    with served.database.session() as session:
        found = WallboxAccountRepository(session, context.box, context.clock).find_by_email(
            "demo@example.com"
        )
    assert found is not None
    key = str(found.id)
    backfills = backfills_of(served.app)
    await backfills.wait(found.id)
    finished = backfills.synced_at(found.id)
    assert finished is not None
    not_before = finished + timedelta(seconds=SYNC_INTERVAL_S - 1)

    def sync_waits() -> bool:
        assert context.scheduler is not None
        jobs = [j for j in context.scheduler.jobs if j.ident == ("sync", key)]
        return bool(jobs) and jobs[0].next_due is not None and jobs[0].next_due >= not_before

    # Scheduled after the backfill, or (when the periodic check saw the account before its
    # backfill began) postponed once it ended.
    await _wait_for(sync_waits)
