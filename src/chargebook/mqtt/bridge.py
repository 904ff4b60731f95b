"""The bridge's connection to the broker (aiomqtt): birth and last will, the publish loop,
Home Assistant's restarts and the commands.

One connection at a time; when the broker goes away the bridge says so in the log and
connects again after `reconnect_s` (doubling up to 5 minutes). On each connection it
publishes `online` (retained) on `<prefix>/status`, whose last will is `offline`, so Home
Assistant marks every entity unavailable when chargebook dies; a clean stop publishes
`offline` itself. Every `interval_s` (or at once after a command or Home Assistant's
`online`) it publishes the discovery messages that changed and the state values that
changed, all retained. The broker's password is never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import ssl
from typing import Any

import aiomqtt

from chargebook.clock import Clock
from chargebook.db import Database
from chargebook.errors import ChargebookError
from chargebook.mqtt.commands import check_command
from chargebook.mqtt.config import MqttConfig
from chargebook.mqtt.discovery import (
    OFFLINE,
    ONLINE,
    Discovery,
    charger_discovery,
    owner_discovery,
)
from chargebook.mqtt.ports import ChargerDoor
from chargebook.mqtt.reads import Scope, charger_facts, owner_quarter, published_scope
from chargebook.mqtt.states import charger_states, owner_states
from chargebook.mqtt.topics import Topics

_LOGGER = logging.getLogger(__name__)
MAX_RECONNECT_S = 300.0
QOS = 1


class MqttBridge:
    """Publishes the book to the broker and takes commands (see the module docstring)."""

    def __init__(
        self,
        config: MqttConfig,
        database: Database,
        clock: Clock,
        door: ChargerDoor,
        *,
        reconnect_s: float = 5.0,
    ) -> None:
        self._config, self._database, self._clock, self._door = config, database, clock, door
        self.topics = Topics(config.prefix, config.discovery_prefix)
        self._reconnect_s = reconnect_s
        self._wake = asyncio.Event()
        self._sent: dict[str, str] = {}  # topic -> the retained payload last published
        self._scope = Scope((), (), ())
        self.connected = asyncio.Event()
        self.refreshes = 0  # completed publish rounds (tests wait on it)

    def refresh_soon(self) -> None:
        """Publish again now, not at the next interval."""
        self._wake.set()

    async def run(self) -> None:
        """Connect, publish and listen until cancelled; reconnect after a lost connection."""
        delay = self._reconnect_s
        while True:
            try:
                async with self._client() as client:
                    delay = self._reconnect_s
                    await self._session(client)
            except aiomqtt.MqttError as exc:
                _LOGGER.warning(
                    "MQTT broker %s: %s; connecting again in %.0f s", self._config.where,
                    exc, delay,
                )  # fmt: skip
            except Exception:  # a bug must not end the bridge for good
                _LOGGER.exception("the MQTT bridge failed; connecting again in %.0f s", delay)
            self.connected.clear()
            await asyncio.sleep(delay)
            delay = min(MAX_RECONNECT_S, delay * 2)

    def _client(self) -> aiomqtt.Client:
        config = self._config
        password = config.password.get_secret_value() if config.password is not None else None
        return aiomqtt.Client(
            config.host,
            config.port,
            username=config.username,
            password=password,
            identifier=f"chargebook-{secrets.token_hex(4)}",
            will=aiomqtt.Will(self.topics.status, OFFLINE, qos=QOS, retain=True),
            tls_context=ssl.create_default_context() if config.tls else None,
            keepalive=30,
        )

    async def _session(self, client: aiomqtt.Client) -> None:
        self._sent.clear()  # a new connection re-sends everything (the broker may be new)
        await client.publish(self.topics.status, ONLINE, qos=QOS, retain=True)
        await client.subscribe(self.topics.home_assistant_status, qos=QOS)
        if self._config.commands:
            await client.subscribe(self.topics.commands, qos=QOS)
        _LOGGER.info("MQTT bridge connected to %s", self._config.where)
        self.connected.set()
        try:
            async with asyncio.TaskGroup() as tasks:
                tasks.create_task(self._listen(client))
                tasks.create_task(self._publish_loop(client))
        except* aiomqtt.MqttError as group:
            raise group.exceptions[0] from None
        finally:
            self.connected.clear()
            # A clean stop: say so ourselves (the broker sends the will only on a lost one).
            with contextlib.suppress(Exception):
                await asyncio.wait_for(
                    client.publish(self.topics.status, OFFLINE, qos=QOS, retain=True), 2.0
                )

    async def _publish_loop(self, client: aiomqtt.Client) -> None:
        while True:
            self._wake.clear()
            try:
                await self._refresh(client)
            except ChargebookError as exc:  # the database was away: try again later
                _LOGGER.warning("MQTT bridge: cannot read the book: %s", exc.message)
            self.refreshes += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._config.interval_s)

    async def _refresh(self, client: aiomqtt.Client) -> None:
        scope = await self._read_scope()
        commands = self._config.commands
        wanted: dict[str, str] = {}
        # Side by side: a charger whose cloud is slow does not hold up the others.
        readings = await asyncio.gather(*(self._door.reading(c) for c in scope.chargers))
        for charger, reading in zip(scope.chargers, readings, strict=True):
            features = self._door.features(charger)
            wanted |= _configs(charger_discovery(self.topics, charger, features, commands=commands))
            facts = await asyncio.to_thread(charger_facts, self._database, self._clock, charger)
            wanted |= charger_states(self.topics, charger.id, reading, facts)
        for owner_id in scope.owner_ids:
            wanted |= _configs(owner_discovery(self.topics, owner_id))
            figures = await asyncio.to_thread(owner_quarter, self._database, self._clock, owner_id)
            wanted |= owner_states(self.topics, owner_id, figures)
        # A charger (or owner) no longer published: an empty retained message removes its
        # entities' configs from Home Assistant and its old states from the broker.
        gone = [t for t in self._sent if t not in wanted]
        for topic in gone:
            wanted[topic] = ""
        for topic, payload in wanted.items():
            if self._sent.get(topic) != payload:
                await client.publish(topic, payload, qos=QOS, retain=True)
                self._sent[topic] = payload
        for topic in gone:
            self._sent.pop(topic, None)

    async def _read_scope(self) -> Scope:
        scope = await asyncio.to_thread(
            published_scope, self._database, self._clock, self._config.owners
        )
        if scope.unknown_owners and scope.unknown_owners != self._scope.unknown_owners:
            _LOGGER.warning(
                "CHARGEBOOK_MQTT_OWNERS names no user: %s", ", ".join(scope.unknown_owners)
            )
        self._scope = scope
        return scope

    async def _listen(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            topic = message.topic.value
            payload = _text(message.payload)
            if topic == self.topics.home_assistant_status:
                if payload == ONLINE:  # Home Assistant restarted: send everything again
                    self._sent.clear()
                    self.refresh_soon()
                continue
            command = self.topics.parse_command(topic)
            if command is not None and not message.retain:  # never replay an old command
                try:
                    await self._command(client, *command, payload)
                except aiomqtt.MqttError:
                    raise
                except Exception:  # one bad command must not stop the listening
                    _LOGGER.exception("MQTT command on %s failed", topic[:120])

    async def _command(self, client: aiomqtt.Client, ref: str, key: str, payload: str) -> None:
        ack: dict[str, Any] = {"key": key, "payload": payload[:40], "at": self._clock.now()}
        known: int | None = None
        try:
            scope = await self._read_scope()  # the owners' chargers now, not a minute ago
            checked = check_command(scope, ref, key, payload, enabled=self._config.commands)
            known = checked.charger.id
            ack["command"] = checked.command.value
            await self._door.send(checked.charger, checked.command, checked.current_a)
        except ChargebookError as exc:
            ack |= {"result": "failed" if exc.retryable else "refused", "message": exc.message}
            _LOGGER.info("MQTT command %s on charger %s refused: %s", key, ref[:40], exc.message)
        else:
            ack |= {"result": "done", "message": "sent"}
            self.refresh_soon()
        ack["at"] = ack["at"].isoformat()
        # The ack of a published charger is its state (retained); of any other only an answer.
        topic = (
            self.topics.ack(known)
            if known is not None
            else f"{self.topics.prefix}/charger/{ref}/ack"
        )
        await client.publish(
            topic, json.dumps(ack, sort_keys=True), qos=QOS, retain=known is not None
        )


def _configs(found: list[Discovery]) -> dict[str, str]:
    return {
        topic: json.dumps(payload, sort_keys=True) if payload is not None else ""
        for topic, payload in found
    }


def _text(payload: Any) -> str:
    if isinstance(payload, bytes | bytearray):
        return payload.decode("utf-8", "replace")
    return "" if payload is None else str(payload)
