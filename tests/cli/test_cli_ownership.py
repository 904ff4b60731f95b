"""Issue 14 (HIGH) through the CLI: `accounts add` + `sync` of a second myWallbox account that
sees the same chargers (the simulator's guest@example.com) never takes them over; the sync
says so; on both databases. The simulator is served by uvicorn (the CLI is a real process
boundary), with the real clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from chargebook.cli.app import app
from chargebook.clock import SystemClock
from chargebook.db import AuditLogRepository, ChargerRepository, UserRepository, open_database
from chargebook.db.accounts.tables import WallboxAccountRow
from chargebook.db.book.tables import ChargingSessionRow
from chargebook.db.book.transfers import AUDIT_ACTION
from chargebook.settings import load_settings
from chargebook.simulator.serve import ServedApp
from chargebook.simulator.wallbox import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    GUEST_EMAIL,
    GUEST_PASSWORD,
    SimulatorConfig,
    WallboxSimulator,
)

runner = CliRunner()


@pytest.fixture(scope="module")
def simulator_url() -> Iterator[str]:
    config = SimulatorConfig(
        seed=5, accounts=1, chargers_per_account=2, days=15, latency_ms=0, partner_mode=True
    )
    with ServedApp(WallboxSimulator(config, clock=SystemClock()).app) as served:
        yield served.url


@pytest.fixture
def cli_book(simulator_url: str, empty_database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CHARGEBOOK_DATABASE_URL", empty_database_url)
    for name in ("CHARGEBOOK_WALLBOX_API_URL", "CHARGEBOOK_WALLBOX_AUTH_URL"):
        monkeypatch.setenv(name, simulator_url)
    monkeypatch.setenv("CHARGEBOOK_WALLBOX_PARTNER_MODE", "true")
    monkeypatch.setenv("CHARGEBOOK_WALLBOX_MAX_RETRIES", "0")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return empty_database_url


def cli(*args: str) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def book_state() -> tuple[list[tuple[int, int | None, int | None]], int, dict[str, int]]:
    """(charger id, owner, account) per charger, the session count, account id by e-mail."""
    database = open_database(load_settings())
    try:
        with database.session() as session:
            chargers = ChargerRepository(session, SystemClock()).list()
            sessions = session.scalar(select(func.count()).select_from(ChargingSessionRow))
            users = UserRepository(session, SystemClock())
            owners = {
                email: user.id
                for email in (DEMO_EMAIL, GUEST_EMAIL)
                if (user := users.get_by_email(email)) is not None
            }
            accounts = {
                owner: account_id
                for account_id, owner in session.execute(
                    select(WallboxAccountRow.id, WallboxAccountRow.owner_user_id)
                )
            }
    finally:
        database.dispose()
    rows = [(c.id, c.owner_user_id, c.account_id) for c in chargers]
    return rows, sessions or 0, {e: accounts[o] for e, o in owners.items() if o in accounts}


def test_accounts_add_and_sync_of_a_shared_account_takes_nothing_over(cli_book: str) -> None:
    cli("accounts", "add", "--email", DEMO_EMAIL, "--password", DEMO_PASSWORD)
    first = cli("sync", "--quiet")
    assert "already connected" not in first
    chargers, sessions, accounts = book_state()
    demo = open_database(load_settings())
    with demo.session() as session:
        demo_user = UserRepository(session, SystemClock()).get_by_email(DEMO_EMAIL)
    demo.dispose()
    assert demo_user is not None
    # The sync gives the chargers it brings into the book to the account's owner.
    assert len(chargers) == 2
    assert {(owner, account) for _, owner, account in chargers} == {
        (demo_user.id, accounts[DEMO_EMAIL])
    }
    assert sessions > 0

    cli("accounts", "add", "--email", GUEST_EMAIL, "--password", GUEST_PASSWORD)
    second = cli("sync", "--quiet")

    assert book_state()[0] == chargers  # same owner, same account
    assert book_state()[1] == sessions  # nothing stored twice, nothing stored for the guest
    assert f"{GUEST_EMAIL}: not synced, already connected by another chargebook user" in second
    assert "ask the operator to transfer it to you" in " ".join(second.split())


def test_chargers_transfer_is_the_operators_audited_change_of_owner(cli_book: str) -> None:
    # The owner connects first; the guest's account (a share of the same chargers) later. Added
    # together, one `sync` may sync either account first (accounts sync concurrently), and the
    # first to bring a charger in owns it.
    cli("accounts", "add", "--email", DEMO_EMAIL, "--password", DEMO_PASSWORD)
    cli("sync", "--quiet")
    cli("accounts", "add", "--email", GUEST_EMAIL, "--password", GUEST_PASSWORD)
    cli("sync", "--quiet")
    chargers, sessions, accounts = book_state()
    sold_id, demo_owner, _ = chargers[0]
    listed = cli("chargers", "list")
    assert DEMO_EMAIL in listed
    assert GUEST_EMAIL not in listed

    refused = runner.invoke(app, ["chargers", "transfer", str(sold_id), "--to", "x@example.com"])
    assert refused.exit_code == 1
    assert "no user x@example.com" in refused.output
    assert "Traceback" not in refused.output
    moved = cli("chargers", "transfer", str(sold_id), "--to", GUEST_EMAIL)
    assert f"charger {sold_id} belongs to {GUEST_EMAIL}" in moved
    again = runner.invoke(app, ["chargers", "transfer", str(sold_id), "--to", GUEST_EMAIL])
    assert again.exit_code == 1
    assert "transferred already" in again.output

    synced = cli("sync", "--quiet")
    after, after_sessions, _ = book_state()
    rows = {charger_id: (owner, account) for charger_id, owner, account in after}
    guest_rows = [i for i, (owner, _) in rows.items() if owner != demo_owner]
    assert len(after) == 3
    assert len(guest_rows) == 1
    assert rows[guest_rows[0]][1] == accounts[GUEST_EMAIL]  # the guest's account syncs it now
    assert rows[sold_id] == (demo_owner, accounts[DEMO_EMAIL])  # the earlier owner's row stays
    assert after_sessions == sessions  # no session moved or stored twice
    # The demo account still sees the sold charger: its owner is told it is someone else's.
    assert f"{DEMO_EMAIL}: not synced, already connected by another chargebook user" in synced
    assert "owner until" in cli("chargers", "list")
    database = open_database(load_settings())
    try:
        with database.session() as session:
            (entry,) = AuditLogRepository(session, SystemClock()).list(action=AUDIT_ACTION)
    finally:
        database.dispose()
    assert (entry.actor, entry.entity_id) == ("cli", str(sold_id))
