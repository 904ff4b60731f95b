"""Where events come from: the services emit them into the outbox in their own transaction
(a session the sync writes, a charger's state in the recorder's samples, ERE's mandate,
statement and payout)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy import text

from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database
from chargebook.db.book.store import SqlBook
from chargebook.db.book.transfers import transfer_charger
from chargebook.db.core.canonical import canonical_json, sha256_hex
from chargebook.db.core.testing import example_charger
from chargebook.db.ere.store import EreStore
from chargebook.db.ocpp.chargers import OcppChargerRepository
from chargebook.domain.book import SessionEntry, SessionSample, SessionState, UpsertPlan
from chargebook.domain.models import ChargerSource, ChargerState, ChargingSession
from chargebook.ere.service.payout_accounts import set_payout_account
from chargebook.ere.service.statements import mark_paid
from chargebook.settings import Settings
from web.helpers import World, build_world, context_of, make_app, mandate_ids

from .conftest import People


def outbox(database: Database) -> list[tuple[str, int | None, dict[str, object]]]:
    with database.session() as session:
        rows = session.execute(text("SELECT kind, owner_id, payload FROM event_outbox ORDER BY id"))
        return [(kind, owner, json.loads(payload)) for kind, owner, payload in rows]


def _entry(external_id: str, ended_ago: timedelta, clock: FixedClock) -> SessionEntry:
    raw = {"id": external_id}
    end = clock.now() - ended_ago
    session = ChargingSession(
        source=ChargerSource.WALLBOX_CLOUD, external_id=external_id, charger_external_id="555",
        started_at=end - timedelta(hours=2), ended_at=end, energy_kwh=Decimal("11.5"),
        mid_energy_kwh=None, discharged_energy_kwh=Decimal(0),
    )  # fmt: skip
    return SessionEntry(
        source=ChargerSource.WALLBOX_CLOUD, external_id=external_id, charger_external_id="555",
        raw=raw, raw_sha256=sha256_hex(canonical_json(raw)), session=session,
        state=SessionState.OK, raw_json=canonical_json(raw),
    )  # fmt: skip


def test_the_sync_announces_sessions_that_just_ended_not_a_backfill(
    database: Database, clock: FixedClock, people: People
) -> None:
    owner = people.owner_a.user.id
    with database.transaction() as session:
        ChargerRepository(session, clock).upsert(example_charger("555"), owner_user_id=owner)
    with database.transaction() as session:
        SqlBook(session, clock).apply_upsert(
            UpsertPlan(inserts=(_entry("new", timedelta(hours=1), clock),
                                _entry("old", timedelta(days=400), clock)))
        )  # fmt: skip
    [(kind, owner_id, data)] = outbox(database)
    assert (kind, owner_id) == ("session.completed", owner)
    assert data["session_external_id"] == "new"
    assert data["energy_kwh"] == "11.5"


def test_a_state_change_in_the_samples_is_announced_once(
    database: Database, clock: FixedClock, people: People
) -> None:
    owner = people.owner_b.user.id
    with database.transaction() as session:
        ChargerRepository(session, clock).upsert(example_charger("555"), owner_user_id=owner)

    def sample(seconds: int, state: ChargerState) -> SessionSample:
        moment = clock.now() + timedelta(seconds=seconds)
        return SessionSample(ChargerSource.WALLBOX_CLOUD, "555", moment, 0.0, 0.0, state, 0)

    for batch in (
        [sample(0, ChargerState.READY), sample(60, ChargerState.READY)],
        [sample(60, ChargerState.READY), sample(120, ChargerState.CHARGING)],  # one re-sent
    ):
        with database.transaction() as session:
            SqlBook(session, clock).add_samples(batch)
    [(kind, owner_id, data)] = outbox(database)
    assert (kind, owner_id) == ("charger.state_changed", owner)
    assert (data["from"], data["to"]) == ("ready", "charging")


def test_a_sold_chargers_state_changes_go_to_its_new_owner_only(
    database: Database, clock: FixedClock, people: People
) -> None:
    with database.transaction() as session:
        charger = ChargerRepository(session, clock).upsert(
            example_charger("555"), owner_user_id=people.owner_a.user.id
        )
    with database.transaction() as session:
        transfer_charger(
            session, clock, charger_id=charger.id, to_email=people.owner_b.user.email, actor="t"
        )
    source = ChargerSource.WALLBOX_CLOUD
    samples = [
        SessionSample(source, "555", clock.now() + timedelta(minutes=n), 0.0, 0.0, state, 0)
        for n, state in enumerate((ChargerState.READY, ChargerState.CHARGING))
    ]
    with database.transaction() as session:
        SqlBook(session, clock).add_samples(samples)
    [(kind, owner_id, _)] = outbox(database)
    assert (kind, owner_id) == ("charger.state_changed", people.owner_b.user.id)


def test_an_ocpp_chargers_status_change_is_announced_in_chargebooks_words(
    database: Database, clock: FixedClock, people: People
) -> None:
    owner = people.owner_a.user.id
    with database.transaction() as session:
        OcppChargerRepository(session, clock).register(
            "CP-EVT", secret_hash=None, allow_empty_password=True, owner_user_id=owner
        )

    def status(seconds: int, value: str) -> None:
        with database.transaction() as session:
            OcppChargerRepository(session, clock).record_status(
                "CP-EVT", status=value, error_code="NoError",
                at=clock.now() + timedelta(seconds=seconds),
            )  # fmt: skip

    status(0, "Available")  # the first status: nothing to compare with
    status(10, "Preparing")  # ready -> waiting
    status(20, "SuspendedEV")  # still waiting: no news
    status(5, "Charging")  # older than the stored one: ignored
    status(30, "Charging")  # waiting -> charging
    events = [
        (kind, owner_id, data["from"], data["to"]) for kind, owner_id, data in outbox(database)
    ]
    assert events == [
        ("charger.state_changed", owner, "ready", "waiting"),
        ("charger.state_changed", owner, "waiting", "charging"),
    ]


@pytest.fixture
async def world(
    isolated_data_dir: Path, database: Database, clock: FixedClock
) -> AsyncIterator[World]:
    settings = Settings(data_dir=isolated_data_dir,
                        secret_key=SecretStr(Fernet.generate_key().decode()))  # fmt: skip
    app = make_app(settings, database, clock)
    async with app.router.lifespan_context(app):
        built = await build_world(app)
        yield built
        for actor in built.actors.values():
            await actor.client.aclose()


async def test_ere_announces_mandates_and_payouts_to_their_owner(world: World) -> None:
    mandate_ids(world)
    a = world.actors["owner_a"].user
    assert a is not None
    context = context_of(world.app)
    with world.database.transaction() as session:
        store = EreStore(session, world.clock)
        set_payout_account(store, context.box, user_id=a.id, iban="NL91 ABNA 0417 1643 00",
                           holder="A. Jansen", actor="test")  # fmt: skip
        mark_paid(store, world.statement_ids["owner_a"], reference="BANK-1")
    events = outbox(world.database)
    signed = [(owner, data["ean"]) for kind, owner, data in events if kind == "mandate.signed"]
    assert sorted(owner for owner, _ in signed) == sorted(
        [a.id, world.actors["owner_b"].user.id]  # type: ignore[union-attr]
    )
    [(_, owner, data)] = [e for e in events if e[0] == "payout.paid"]
    assert owner == a.id
    assert Decimal(str(data["payout_eur"])) == Decimal("0.72")
    assert data["reference"] == "BANK-1"


async def test_a_mandate_ending_this_year_is_reminded_once_from_october(world: World) -> None:
    from datetime import UTC, datetime

    from chargebook.hooks.reminders import remind_mandates_ending

    mandate_ids(world)  # both owners: mandates for 2026 only
    world.clock.set(datetime(2026, 9, 30, 12, tzinfo=UTC))
    assert remind_mandates_ending(world.database, world.clock) == 0
    world.clock.set(datetime(2026, 10, 1, 12, tzinfo=UTC))
    assert remind_mandates_ending(world.database, world.clock) == 2
    assert remind_mandates_ending(world.database, world.clock) == 0  # once
    owners = [o for kind, o, _ in outbox(world.database) if kind == "mandate.ending"]
    assert sorted(owners) == sorted(a.user.id for n, a in world.actors.items()  # type: ignore[union-attr]
                                    if n.startswith("owner"))  # fmt: skip


def test_a_charger_offline_for_long_is_reminded_once_per_run(
    database: Database, clock: FixedClock, people: People
) -> None:
    from chargebook.hooks.reminders import remind_chargers_offline

    owner = people.owner_a.user.id
    with database.transaction() as session:
        ChargerRepository(session, clock).upsert(example_charger("555"), owner_user_id=owner)
        ChargerRepository(session, clock).upsert(example_charger("556"), owner_user_id=owner)

    def sample(charger: str, hours: float, state: ChargerState) -> SessionSample:
        moment = clock.now() + timedelta(hours=hours)
        return SessionSample(ChargerSource.WALLBOX_CLOUD, charger, moment, 0.0, 0.0, state, 0)

    offline, ready = ChargerState.DISCONNECTED, ChargerState.READY
    with database.transaction() as session:
        SqlBook(session, clock).add_samples(
            [sample("555", 0, ready), sample("555", 1, offline), sample("555", 8, offline),
             sample("556", 0, offline), sample("556", 7, ready)]
        )  # fmt: skip
    clock.advance(timedelta(hours=6.5))  # 555: offline 5.5 h
    assert remind_chargers_offline(database, clock) == 0
    clock.advance(timedelta(hours=1))  # 6.5 h
    assert remind_chargers_offline(database, clock) == 1
    assert remind_chargers_offline(database, clock) == 0
    [(_, owner_id, data)] = [e for e in outbox(database) if e[0] == "charger.offline"]
    assert owner_id == owner
    assert data["since"] == (clock.now() - timedelta(hours=6.5)).isoformat()


def test_a_plan_short_of_its_goal_tells_the_owner_once_per_departure(
    database: Database, clock: FixedClock, people: People
) -> None:
    from chargebook.domain.prices import ChargeGoal, ChargePlan, PlanStatus, Strategy
    from chargebook.domain.smart import ControllerEvent
    from chargebook.domain.smart import EventKind as Smart
    from chargebook.serve.plan_events import announce_unmet

    owner = people.owner_a.user.id
    with database.transaction() as session:
        charger = ChargerRepository(session, clock).upsert(
            example_charger("555"), owner_user_id=owner
        )

    def plan(shortfall: float) -> ChargePlan:
        goal = ChargeGoal(energy_kwh=40.0, departure=clock.now() + timedelta(hours=3))
        return ChargePlan(goal=goal, strategy=Strategy.CHEAPEST, status=PlanStatus.NOT_ENOUGH_TIME,
                          slots=(), energy_kwh=40.0 - shortfall, shortfall_kwh=shortfall,
                          cost_eur=Decimal("3.10"), cost_complete=True)  # fmt: skip

    def event(kind: Smart) -> ControllerEvent:
        return ControllerEvent(clock.now(), "555", kind, f"{kind.value}: not_enough_time")

    assert not announce_unmet(database, clock, charger, plan(0.0), event(Smart.PLANNED))
    assert announce_unmet(database, clock, charger, plan(12.5), event(Smart.REPLANNED))
    assert not announce_unmet(database, clock, charger, plan(12.5), event(Smart.REPLANNED))
    [(_, owner_id, data)] = [e for e in outbox(database) if e[0] == "plan.unmet"]
    assert owner_id == owner
    assert data["shortfall_kwh"] == 12.5
