"""The connect wizard's first sync under the real rate limit (3 reads a minute): as few reads
as the book allows, and a progress fragment that says when and why it waits."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import httpx

from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database, WallboxAccountRepository
from chargebook.serve.backfill import BackfillStatus
from chargebook.settings import Settings
from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator
from chargebook.web.page_services import backfills_of

from .helpers import Actor, add_user, client_for, context_of, make_app, sign_in

EMAIL, PASSWORD = "demo@example.com", "demo-password"
DATA_PREFIXES = ("/v2/", "/v3/", "/v4/", "/chargers/")


def lower_bound(simulator: WallboxSimulator) -> int:
    """One groups read, one sessions page per 1,000 sessions of each charger, one charger read
    per MID charger (its MID serial)."""
    reads = 1
    for charger_id in simulator.charger_ids(EMAIL):
        reads += max(1, math.ceil(len(simulator.ended_sessions(charger_id)) / 1000))
        reads += 1 if simulator.chargers[charger_id].model.mid else 0
    return reads


async def test_the_wizard_and_its_backfill_make_the_fewest_reads(
    web_settings: Settings, sqlite_database: Database, clock: FixedClock
) -> None:
    simulator = WallboxSimulator(
        SimulatorConfig(seed=1, accounts=1, chargers_per_account=2, days=400), clock=clock
    )  # the real limits: 3 reads and 5 writes a minute
    app = make_app(
        web_settings, sqlite_database, clock, wallbox_transport=httpx.ASGITransport(simulator.app)
    )
    async with app.router.lifespan_context(app):
        owner = Actor("owner", add_user(app, "driver@example.com"), client_for(app))
        sign_in(app, owner)
        response = await owner.client.post(
            "/connect/wallbox",
            data={"email": EMAIL, "password": PASSWORD, "csrf_token": owner.csrf},
        )
        assert response.status_code == 303
        context = context_of(app)
        with sqlite_database.session() as session:
            account = WallboxAccountRepository(session, context.box, clock).find_by_email(EMAIL)
        assert account is not None
        await backfills_of(app).wait(account.id)
        status = backfills_of(app).status(account.id)
        # While a backfill waits for the budget, the polled fragment says so (set as the
        # budget's listener would, 40 s before the next read).
        with sqlite_database.session() as session:
            charger_id = ChargerRepository(session, clock).list(account_id=account.id)[0].id
        backfills_of(app)._statuses[account.id] = BackfillStatus(
            account.id, running=True, done=2, total=5, note="history",
            waiting_until=clock.now() + timedelta(seconds=40),
            waiting_reason="the Wallbox rate limit (3 reads a minute)",
        )  # fmt: skip
        fragment = await owner.client.get(f"/connect/{charger_id}/progress")
        await owner.client.aclose()
    assert fragment.status_code == 200
    assert (
        'data-testid="backfill-note">waiting 40 s for the Wallbox rate limit (3 reads a minute)'
        " — 2 of 5 reads done<" in fragment.text
    )
    assert status is not None
    assert status.error is None
    reads = [
        r
        for r in simulator.request_log[EMAIL]
        if r.method == "GET" and r.path.startswith(DATA_PREFIXES)
    ]
    # groups + the Copper SB's MID serial in the wizard; one sessions page per charger in the
    # backfill (no second groups read, no charger reads, no 180-day windows).
    assert len(reads) == lower_bound(simulator) == 4
    assert [r.status for r in reads] == [200] * 4  # paced by the budget, never refused
    assert status.total == status.done == 2  # the backfill's own reads, as its bar counted


def test_the_progress_message_counts_down_the_wait_and_the_reads() -> None:
    status = BackfillStatus(1, running=True, done=2, total=5, note="Pulsar: history")
    now = datetime(2026, 12, 6, 21, 0, tzinfo=UTC)
    assert status.message(now) == "Pulsar: history (2 of 5 reads done)"
    waiting = BackfillStatus(
        1,
        running=True,
        done=2,
        total=5,
        note="Pulsar: history",
        waiting_until=now + timedelta(seconds=40),
        waiting_reason="the Wallbox rate limit (3 reads a minute)",
    )
    assert waiting.message(now) == (
        "waiting 40 s for the Wallbox rate limit (3 reads a minute) — 2 of 5 reads done"
    )
    assert waiting.message(now + timedelta(seconds=30)).startswith("waiting 10 s")
    assert waiting.message(now + timedelta(seconds=41)) == "Pulsar: history (2 of 5 reads done)"


async def test_a_budget_wait_shows_in_the_backfill_status(clock: FixedClock) -> None:
    from chargebook.serve.backfill import _Progress
    from chargebook.wallbox import RequestBudget, RequestKind

    statuses = {7: BackfillStatus(7, running=True)}
    progress = _Progress(statuses, 7)
    budget = RequestBudget(reads_per_minute=3, clock=clock)
    budget.watch(progress.waiting)
    shown: list[str] = []
    budget.watch(lambda wait: shown.append(statuses[7].message(clock.now())))
    for done in range(4):
        await budget.acquire(RequestKind.READ)
        progress.update("owner@example.com", done=done + 1, total=5, note="history")
    assert shown == [
        "waiting 60 s for the Wallbox rate limit (3 reads a minute) — 3 of 5 reads done"
    ]
    assert statuses[7].message(clock.now()) == "history (4 of 5 reads done)"
