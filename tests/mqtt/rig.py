"""What the broker tests share: the broker's address, a web app on a real book with two
owners and a simulated charger (`build_rig`), a listening client, and a running bridge."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import aiomqtt
from argon2 import PasswordHasher
from cryptography.fernet import Fernet
from fastapi import FastAPI
from pydantic import SecretStr

from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database
from chargebook.db.book.tables import ChargingSessionRow
from chargebook.db.core.canonical import canonical_json, sha256_hex
from chargebook.db.core.testing import example_charger
from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import Address
from chargebook.domain.models import ChargerSource
from chargebook.domain.users import UserRole
from chargebook.ere import gs1_check_digit
from chargebook.ere.service import add_connection, add_mandate, detect_metering
from chargebook.mqtt.bridge import MqttBridge
from chargebook.serve.mqtt import run_mqtt_bridge
from chargebook.settings import Settings
from chargebook.web.accounts import AccountService
from chargebook.web.app import create_app
from chargebook.web.context import WebContext
from chargebook.web.mqtt_door import WebChargerDoor
from chargebook.web.page_services import live_status_of

from .simulated import SimulatedCharger


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    username: str
    password: str

    @property
    def url(self) -> str:
        return f"mqtt://{self.username}:{self.password}@{self.host}:{self.port}"


OWNER_A, OWNER_B = "owner-a@example.com", "owner-b@example.com"
COPPER_SB = {"part_number": "CPB1-0-2-4-9-002-E", "model": "Copper SB"}


@dataclass
class Listener:
    """Every message the test's own client received: topic -> (payload, retained)."""

    seen: dict[str, tuple[str, bool]] = field(default_factory=dict)
    log: list[tuple[str, str]] = field(default_factory=list)

    async def until(self, check: Callable[[], bool], what: str, timeout_s: float = 30) -> None:
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


def build_rig(book: Database, clock: FixedClock, broker: Broker, data_dir: Path) -> Rig:
    """Owners A and B with a charger and a session each, A's with an ERE connection and a
    mandate, the simulated charger behind both, and a bridge configured for A only."""
    settings = Settings(
        data_dir=data_dir,
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


@contextlib.asynccontextmanager
async def listening(broker: Broker) -> AsyncIterator[tuple[aiomqtt.Client, Listener]]:
    listener = Listener()
    async with aiomqtt.Client(
        broker.host, broker.port, username=broker.username, password=broker.password
    ) as client:
        await client.subscribe("#", qos=1)

        async def collect() -> None:
            async for message in client.messages:
                raw = message.payload
                payload = raw.decode() if isinstance(raw, bytes | bytearray) else str(raw or "")
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
        await asyncio.wait_for(bridge.connected.wait(), 30)
        deadline = asyncio.get_running_loop().time() + 30
        while bridge.refreshes < 1:
            assert asyncio.get_running_loop().time() < deadline, "no publish round"
            await asyncio.sleep(0.05)
        yield bridge
