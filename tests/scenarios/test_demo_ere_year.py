"""`chargebook demo`'s web app seeds an honest, labelled ERE year (issue 17: the credits page
and the operator console were empty in the demo): the owner's Copper SB and Pulsar Plus on a
test EAN, metering from 1 January, a mandate, the first quarter registered with its evidence
pack, a statement and a payout marked paid, every page saying it is demo data. Started again
on the same data dir, the demo adds nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from fastapi import FastAPI
from pydantic import SecretStr

from chargebook.clock import FixedClock
from chargebook.db import UserRepository
from chargebook.db.ere.store import EreStore
from chargebook.demo.ere_year import DEMO_EAN, DEMO_OWNER_IBAN, history_days, seed_ere_year
from chargebook.demo.web import DEMO_NOTE, OPERATOR, OWNER, SIMULATOR_ORIGIN, build_demo_app
from chargebook.domain.ere import MeteringKind
from chargebook.settings import Settings
from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator
from chargebook.web.accounts import AccountService
from chargebook.web.cookies import SESSION_COOKIE

from .year import NOW, QUARTER, truth

CLOCK = FixedClock(NOW)


@dataclass
class Demo:
    app: FastAPI
    simulator: WallboxSimulator
    settings: Settings


def demo(data_dir: Path, key: str, simulator: WallboxSimulator) -> Demo:
    """The served demo's app on a fixed clock, the simulator in-process (as `demo_app`)."""
    settings = Settings(
        data_dir=data_dir,
        secret_key=SecretStr(key),
        wallbox_api_url=SIMULATOR_ORIGIN,
        wallbox_auth_url=SIMULATOR_ORIGIN,
        wallbox_partner_mode=True,
        web_cookie_secure=False,
    )
    app = build_demo_app(
        settings,
        clock=CLOCK,
        wallbox_transport=httpx.ASGITransport(app=simulator.app),
        ere_year=True,
    )
    return Demo(app, simulator, settings)


@pytest.fixture
async def started(tmp_path: Path) -> AsyncIterator[tuple[Demo, str]]:
    # `--days 2`: the demo reaches back to 1 January all the same.
    config = SimulatorConfig(
        seed=1, accounts=1, chargers_per_account=2, days=history_days(NOW, 2), partner_mode=True
    )
    simulator = WallboxSimulator(config, clock=CLOCK)
    key = Fernet.generate_key().decode()
    running = demo(tmp_path / "demo-web", key, simulator)
    async with running.app.router.lifespan_context(running.app):
        yield running, key


def _counts(store: EreStore) -> dict[str, int]:
    return {
        "connections": len(store.connections.list()),
        "mandates": len(store.mandates.list()),
        "constructs": len(store.metering.list_constructs()),
        "follow_ups": len(store.metering.list_follow_ups()),
        "batches": len(store.batches.list()),
        "statements": len(store.statements.list()),
        "prices": len(store.statements.prices()),
        "payout_runs": len(store.payout_runs.list()),
    }


async def _page(app: FastAPI, email: str, path: str) -> str:
    context = app.state.context
    with context.database.transaction() as session:
        user = UserRepository(session, context.clock).get_by_email(email)
        assert user is not None
        session_id = AccountService(session, context.clock, context.passwords).start_session(user)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        client.cookies.set(SESSION_COOKIE, session_id)
        response = await client.get(path)
    assert response.status_code == 200, response.text
    return response.text


async def test_the_demo_seeds_a_labelled_ere_year(started: tuple[Demo, str]) -> None:
    running, _ = started
    expected = truth(running.simulator)
    context = running.app.state.context
    with context.database.session() as session:
        store = EreStore(session, CLOCK)
        connection = store.connections.get_by_ean(DEMO_EAN)
        models = {c.id: c.charger.model for c in store.chargers.list()}
        linked = {models[i] for i in connection.charger_ids}
        kinds = {
            models[i]: store.metering.current(i).construct.kind  # type: ignore[union-attr]
            for i in connection.charger_ids
        }
        (batch,) = store.batches.list(period=QUARTER)
        (statement,) = store.statements.list(period=QUARTER)
        (run,) = store.payout_runs.list()
        owner = store.users.get_by_email(OWNER.email)
        assert owner is not None
        account = store.payout_accounts.get(owner.id)
    assert linked == {"Copper SB", "Pulsar Plus"}
    assert kinds == {"Copper SB": MeteringKind.INTEGRATED_MID, "Pulsar Plus": MeteringKind.NONE}
    assert batch.status.value == "finalized"
    assert batch.session_count == len(expected.copper_q1_sessions)  # from 1 January
    assert batch.total_ere == expected.expected_ere
    assert statement.payout_status.value == "paid"
    # Paid through a SEPA run to the owner's (textbook) IBAN, the file kept with the statements.
    assert account is not None
    assert statement.payout_iban_masked == account.iban_masked
    assert (run.status.value, run.payout_count, run.total_eur) == ("paid", 1, statement.payout_eur)
    assert statement.payout_run_id == run.id
    sepa = running.settings.data_dir / "ere-demo" / "sepa" / f"payout-run-{run.id}.xml"
    assert DEMO_OWNER_IBAN.encode() in sepa.read_bytes()
    assert statement.ere == batch.total_ere
    evidence = running.settings.data_dir / "ere-demo" / f"batch-{batch.id}" / "evidence"
    assert [p.name for p in evidence.glob("*.zip")] == [f"batch-{batch.id}-customer-1.zip"]

    credits = await _page(running.app, OWNER.email, "/credits")
    assert 'data-testid="demo-note"' in credits
    assert DEMO_NOTE.split(":")[0] in credits
    assert f"{statement.ere:,.1f}" in credits
    assert f"€ {statement.payout_eur:,.2f}" in credits
    payouts = await _page(running.app, OPERATOR.email, "/operator/payouts")
    assert "CHARGEBOOK_OPERATOR_IBAN" not in payouts  # the demo's operator can build a file
    for path in ("/operator/batches", "/operator/payouts"):
        console = await _page(running.app, OPERATOR.email, path)
        assert 'data-testid="demo-note"' in console
        assert f"{batch.total_ere:,.1f}" in console


async def test_seeding_again_or_restarting_adds_nothing(
    started: tuple[Demo, str], tmp_path: Path
) -> None:
    running, key = started
    context = running.app.state.context
    with context.database.session() as session:
        before = _counts(EreStore(session, CLOCK))
    again = seed_ere_year(
        context.database,
        CLOCK,
        owner_email=OWNER.email,
        files=tmp_path / "again",
        box=context.box,
    )
    assert again.ok, again.stopped_at
    restarted = demo(running.settings.data_dir, key, running.simulator)
    async with restarted.app.router.lifespan_context(restarted.app):
        with restarted.app.state.context.database.session() as session:
            after = _counts(EreStore(session, CLOCK))
    assert before["batches"] == 1
    assert before["statements"] == 1
    assert before["connections"] == 1
    assert before["payout_runs"] == 1
    assert after == before


def test_the_demo_history_reaches_back_to_1_january() -> None:
    # 6 December 2026: 339 days after 1 January, so 340 days of history at least.
    assert history_days(NOW, 2) == 340
    assert history_days(NOW, 400) == 400  # a longer `--days` is kept


async def test_a_refused_stage_stops_the_seeding_with_its_reason(tmp_path: Path) -> None:
    # A demo whose history does not reach the first quarter: the batch stage is refused,
    # the demo starts all the same, and nothing after the refused stage is written.
    simulator = WallboxSimulator(
        SimulatorConfig(seed=1, accounts=1, chargers_per_account=2, days=2, partner_mode=True),
        clock=CLOCK,
    )
    running = demo(tmp_path / "demo-web", Fernet.generate_key().decode(), simulator)
    async with running.app.router.lifespan_context(running.app):
        context = running.app.state.context
        report = seed_ere_year(
            context.database, CLOCK, owner_email=OWNER.email, files=tmp_path, box=context.box
        )
        with context.database.session() as session:
            counts = _counts(EreStore(session, CLOCK))
    assert not report.ok
    assert report.stopped_at is not None
    assert report.stopped_at.startswith("batch: no eligible, unregistered session in 2026-Q1")
    assert counts["batches"] == counts["statements"] == 0
    assert counts["connections"] == counts["mandates"] == 1
