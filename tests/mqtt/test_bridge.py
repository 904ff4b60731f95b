"""The bridge against a real Mosquitto broker (`conftest.broker`): discovery and retained
state appear, a command from MQTT changes a simulated charger through the web's command
service and the charger-control port and is acknowledged, a command for a charger outside
the bridge's scope is refused without reaching it, and a stop says `offline`."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import aiomqtt
import pytest
from argon2 import PasswordHasher
from cryptography.fernet import Fernet
from fastapi import FastAPI
from pydantic import SecretStr

from chargebook.book.eres import session_eres
from chargebook.book.service import BookService
from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database
from chargebook.db.book.tables import ChargingSessionRow
from chargebook.db.core.canonical import canonical_json, sha256_hex
from chargebook.db.core.testing import SqliteTemplate, example_charger
from chargebook.db.ere.store import EreStore
from chargebook.domain.book import SessionState
from chargebook.domain.ere import Address
from chargebook.domain.models import ChargerSource
from chargebook.domain.users import UserRole
from chargebook.ere import gs1_check_digit, load_parameters
from chargebook.ere.service import add_connection, add_mandate, detect_metering
from chargebook.ere.service.credits import owner_credits
from chargebook.mqtt.bridge import MqttBridge
from chargebook.serve.mqtt import run_mqtt_bridge
from chargebook.settings import Settings
from chargebook.web.accounts import AccountService
from chargebook.web.app import create_app
from chargebook.web.context import WebContext
from chargebook.web.mqtt_door import WebChargerDoor
from chargebook.web.page_services import live_status_of

from .conftest import Broker
from .ha_schema import problems
from .simulated import SimulatedCharger

OWNER_A, OWNER_B = "owner-a@example.com", "owner-b@example.com"
COPPER_SB = {"part_number": "CPB1-0-2-4-9-002-E", "model": "Copper SB"}


@dataclass
class Listener:
    """Every message the test's own client received: topic -> (payload, retained)."""

    seen: dict[str, tuple[str, bool]] = field(default_factory=dict)
    log: list[tuple[str, str]] = field(default_factory=list)

    async def until(self, check: Callable[[], bool], what: str, timeout_s: float = 15) -> None:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while not check():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out waiting for {what}; saw {sorted(self.seen)}")
            await asyncio.sleep(0.05)

    def payload(self, topic: str) -> str | None:
        found = self.seen.get(topic)
        return found[0] if found is not None else None


@dataclass
class Rig:
    app: FastAPI
    context: WebContext
    charger: SimulatedCharger
    a_id: int
    b_id: int


@pytest.fixture
def book(_sqlite_template: SqliteTemplate, tmp_path: Path) -> Iterator[Database]:
    database = _sqlite_template.clone(tmp_path / "mqtt.sqlite3")
    yield database
    database.dispose()


@pytest.fixture
def rig(book: Database, clock: FixedClock, broker: Broker, isolated_data_dir: Path) -> Rig:
    settings = Settings(
        data_dir=isolated_data_dir,
        secret_key=SecretStr(Fernet.generate_key().decode()),
        mqtt_url=SecretStr(broker.url),
        mqtt_interval_s=600,  # the test wakes the bridge; no timed refresh in between
        mqtt_owners=OWNER_A,  # owner B's charger is outside this bridge's scope
    )
    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    app = create_app(settings, database=book, clock=clock, password_hasher=hasher, background=False)
    context: WebContext = app.state.context
    ids = []
    for index, email in enumerate((OWNER_A, OWNER_B)):
        with book.transaction() as session:
            user = AccountService(session, clock, context.passwords).sign_up(
                email=email, password="a-long-password-1", role=UserRole.OWNER
            )
            stored = ChargerRepository(session, clock).upsert(
                # A Copper SB reports a MID meter: its sessions can earn EREs.
                example_charger(f"7000{index + 1}", **COPPER_SB),
                owner_user_id=user.id,
            )
            ids.append(stored.id)
            _add_session(session, clock, stored.id)
    _sign_mandate(book, clock, OWNER_A, ids[0])
    charger = SimulatedCharger()
    context.controls.register(ChargerSource.WALLBOX_CLOUD, charger.factory)
    return Rig(app, context, charger, ids[0], ids[1])


def _sign_mandate(book: Database, clock: FixedClock, email: str, charger_id: int) -> None:
    """The owner's connection, its MID metering from 1 January and a mandate for 2026."""
    body = "87100000000000001"
    ean = body + str(gs1_check_digit(body))
    with book.transaction() as session:
        store = EreStore(session, clock)
        add_connection(store, ean=ean, customer_email=email, connected_party_name=email,
                       address=Address("Laan", "1", "1234 AB", "Utrecht"),
                       charger_ids=[charger_id])  # fmt: skip
        detect_metering(store, now=clock.now(), since=datetime(2026, 1, 1, tzinfo=UTC),
                        charger_id=charger_id)  # fmt: skip
        add_mandate(store, ean=ean, service_provider_id="chargebook", first_year=2026,
                    last_year=2026, consent_grid_operator_data=True,
                    consent_verifier_visit=True, signed_by_name=email,
                    signed_on=clock.now().date())  # fmt: skip


def _add_session(session: object, clock: FixedClock, charger_id: int) -> None:
    text = canonical_json({"id": f"s{charger_id}"})
    started = clock.now() - timedelta(days=1)
    session.add(  # type: ignore[attr-defined]
        ChargingSessionRow(
            charger_id=charger_id, source="wallbox_cloud", external_id=f"s{charger_id}",
            started_at=started, ended_at=started + timedelta(hours=2),
            energy_kwh=Decimal("7.5"), mid_energy_kwh=Decimal("7.5"),
            discharged_energy_kwh=Decimal("0"),
            raw_payload=text, raw_sha256=sha256_hex(text), state="ok",
            first_seen_at=clock.now(), last_seen_at=clock.now(),
        )
    )  # fmt: skip


def _service_eres(rig: Rig) -> Decimal:
    with rig.context.database.session() as session:
        found = BookService(session, None).sessions(state=SessionState.OK, charger_id=rig.a_id)
        eres = session_eres(session, rig.context.clock, found)
    return sum((e.ere for e in eres.values() if e.ere is not None), Decimal(0))


def _credits_page_pending(rig: Rig) -> Decimal:
    clock = rig.context.clock
    with rig.context.database.session() as session:
        store = EreStore(session, clock)
        owner = store.users.get_by_email(OWNER_A)
        assert owner is not None
        found = owner_credits(store, owner.id, parameters=load_parameters(), now=clock.now())
    return found.quarters[0].pending_ere


@contextlib.asynccontextmanager
async def listening(broker: Broker) -> AsyncIterator[tuple[aiomqtt.Client, Listener]]:
    listener = Listener()
    async with aiomqtt.Client(
        broker.host, broker.port, username=broker.username, password=broker.password
    ) as client:
        await client.subscribe("#", qos=1)

        async def collect() -> None:
            async for message in client.messages:
                payload = bytes(message.payload or b"").decode()  # type: ignore[arg-type]
                listener.seen[message.topic.value] = (payload, message.retain)
                listener.log.append((message.topic.value, payload))

        task = asyncio.create_task(collect())
        try:
            yield client, listener
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


@contextlib.asynccontextmanager
async def running(rig: Rig) -> AsyncIterator[MqttBridge]:
    door = WebChargerDoor(rig.context, live_status_of(rig.app))
    async with run_mqtt_bridge(rig.context, door=door, reconnect_s=0.2) as bridge:
        assert bridge is not None
        await asyncio.wait_for(bridge.connected.wait(), 10)
        deadline = asyncio.get_running_loop().time() + 15
        while bridge.refreshes < 1:
            assert asyncio.get_running_loop().time() < deadline, "no publish round"
            await asyncio.sleep(0.05)
        yield bridge


async def test_discovery_and_retained_state_reach_the_broker(rig: Rig, broker: Broker) -> None:
    # Subscribed after the bridge published: all of this arrives as retained messages.
    async with running(rig), listening(broker) as (_, heard):
        a = f"chargebook/charger/{rig.a_id}"
        await heard.until(lambda: heard.payload(f"{a}/ere_year") is not None, "states")
        node = f"chargebook_charger_{rig.a_id}"
        components = ("sensor", "binary_sensor", "switch", "lock", "number")
        await heard.until(
            lambda: all(
                any(t.startswith(f"homeassistant/{c}/{node}/") for t in heard.seen)
                for c in components
            ),
            "discovery",
        )
        assert heard.seen["chargebook/status"] == ("online", True)
        assert heard.seen[f"{a}/state"] == ("charging", True)
        assert heard.seen[f"{a}/power"] == ("11.04", True)  # 16 A on three phases
        assert heard.payload(f"{a}/session_energy") == "4.25"
        assert heard.payload(f"{a}/current_limit") == "16"
        assert heard.payload(f"{a}/lock") == "UNLOCKED"
        assert heard.payload(f"{a}/charging") == "ON"
        assert heard.payload(f"{a}/car_connected") == "ON"
        assert heard.payload(f"{a}/last_session_energy") == "7.5"
        last = json.loads(heard.payload(f"{a}/last_session") or "{}")
        assert last["energy_kwh"] == "7.5"
        assert last["duration_s"] == 7200
        # 7.5 kWh of a MID-metered session with a mandate: the same EREs as the session page
        # and the credits page (the ERE service) count.
        assert heard.payload(f"{a}/ere_year") == "2.5" == str(_service_eres(rig))
        credits = [t for t in heard.seen if t.startswith("chargebook/owner/")]
        assert len(credits) == 1
        quarter = json.loads(heard.payload(credits[0]) or "{}")
        assert (quarter["period"], quarter["ere"], quarter["pending_ere"]) == (
            "2026-Q1", "2.5", str(_credits_page_pending(rig)),
        )  # fmt: skip
        configs = {t: p for t, (p, _) in heard.seen.items() if t.endswith("/config")}
        for component in components:
            mine = [t for t in configs if t.startswith(f"homeassistant/{component}/{node}/")]
            assert mine, component
            for topic in mine:
                assert problems(component, json.loads(configs[topic])) == [], topic
        # Owner B's charger is not this bridge's: nothing of it is published.
        assert not any(f"charger/{rig.b_id}/" in t or f"charger_{rig.b_id}/" in t
                       for t in heard.seen)  # fmt: skip
        assert broker.password not in repr(heard.log)


async def test_a_command_round_trip_changes_the_charger(rig: Rig, broker: Broker) -> None:
    a = f"chargebook/charger/{rig.a_id}"
    async with running(rig), listening(broker) as (client, heard):
        await heard.until(lambda: heard.payload(f"{a}/charging") == "ON", "the charging switch")
        await client.publish(f"{a}/charging/set", "OFF", qos=1)
        await heard.until(lambda: heard.payload(f"{a}/state") == "paused", "paused state")
        assert rig.charger.sent == [("70001", "pause", None)]
        assert heard.payload(f"{a}/charging") == "OFF"
        assert heard.payload(f"{a}/power") == "0"
        ack = json.loads(heard.payload(f"{a}/ack") or "{}")
        assert (ack["command"], ack["result"]) == ("pause", "done")

        await client.publish(f"{a}/current_limit/set", "10", qos=1)
        await heard.until(lambda: heard.payload(f"{a}/current_limit") == "10", "10 A")
        await client.publish(f"{a}/lock/set", "LOCK", qos=1)
        await heard.until(lambda: heard.payload(f"{a}/lock") == "LOCKED", "locked")
        assert rig.charger.sent[1:] == [("70001", "current", 10), ("70001", "lock", None)]

        # The web's command service checks the range: 40 A is over the charger's 32 A.
        await client.publish(f"{a}/current_limit/set", "40", qos=1)
        await heard.until(
            lambda: json.loads(heard.payload(f"{a}/ack") or "{}").get("payload") == "40", "ack"
        )
        ack = json.loads(heard.payload(f"{a}/ack") or "{}")
        assert ack["result"] == "refused"
        assert "between 6 and 32" in ack["message"]
        assert len(rig.charger.sent) == 3
    # The ack is retained: a client that comes later reads the last answer.
    async with listening(broker) as (_, later):
        await later.until(lambda: f"{a}/ack" in later.seen, "the retained ack")
        assert later.seen[f"{a}/ack"][1] is True


async def test_a_command_for_a_charger_outside_the_scope_is_refused(
    rig: Rig, broker: Broker
) -> None:
    b = f"chargebook/charger/{rig.b_id}"
    async with running(rig), listening(broker) as (client, heard):
        await client.publish(f"{b}/charging/set", "OFF", qos=1)
        await client.publish("chargebook/charger/999/lock/set", "UNLOCK", qos=1)
        await heard.until(lambda: f"{b}/ack" in heard.seen, "B's refusal")
        await heard.until(lambda: "chargebook/charger/999/ack" in heard.seen, "999's refusal")
        ack = json.loads(heard.payload(f"{b}/ack") or "{}")
        assert ack["result"] == "refused"
        assert "not one this bridge controls" in ack["message"]
        assert heard.seen[f"{b}/ack"][1] is False  # an answer, not a state of B's
        assert rig.charger.sent == []  # nothing reached any charger


async def test_a_stop_publishes_offline(rig: Rig, broker: Broker) -> None:
    async with running(rig):
        pass
    async with listening(broker) as (_, heard):
        await heard.until(lambda: "chargebook/status" in heard.seen, "the status")
        assert heard.seen["chargebook/status"] == ("offline", True)


async def test_home_assistant_coming_online_gets_everything_again(rig: Rig, broker: Broker) -> None:
    """Home Assistant announces `online` on `homeassistant/status` after a restart; the
    bridge then sends every discovery message and state again (live, not only retained)."""
    node = f"homeassistant/number/chargebook_charger_{rig.a_id}/current_limit/config"
    async with running(rig) as bridge, listening(broker) as (client, heard):
        await heard.until(lambda: node in heard.seen, "the retained discovery")
        rounds = bridge.refreshes
        heard.log.clear()
        await client.publish("homeassistant/status", "online", qos=1)
        await heard.until(lambda: any(t == node for t, _ in heard.log), "discovery again")
        assert bridge.refreshes > rounds
        assert heard.seen[node][1] is False  # sent now, to the subscribers there are
