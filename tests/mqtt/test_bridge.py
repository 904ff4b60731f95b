"""The bridge against a real Mosquitto broker (`conftest.broker`): discovery and retained
state appear, a command from MQTT changes a simulated charger through the web's command
service and the charger-control port and is acknowledged, a command for a charger outside
the bridge's scope is refused without reaching it, Home Assistant's restart gets everything
again, and a stop says `offline`."""

from __future__ import annotations

import json
import logging
from decimal import Decimal

import pytest

from chargebook.book.eres import session_eres
from chargebook.book.service import BookService
from chargebook.db.ere.store import EreStore
from chargebook.domain.book import SessionState
from chargebook.ere import load_parameters
from chargebook.ere.service.credits import owner_credits

from .ha_schema import problems
from .rig import OWNER_A, Broker, Rig, listening, running


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


async def test_discovery_and_retained_state_reach_the_broker(rig: Rig, broker: Broker) -> None:
    # Subscribed after the bridge published: all of this arrives as retained messages.
    async with running(rig), listening(broker) as (_, heard):
        a = f"chargebook/charger/{rig.a_id}"
        # The round's messages arrive in any order: wait for its last ones, then look.
        await heard.until(lambda: heard.payload(f"{a}/ere_year") is not None, "states")
        await heard.until(
            lambda: any(t.startswith("chargebook/owner/") for t in heard.seen), "credits"
        )
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
        await heard.until(lambda: heard.payload(f"{a}/charging") == "OFF", "the switch off")
        await heard.until(lambda: heard.payload(f"{a}/power") == "0", "no power")
        await heard.until(lambda: f"{a}/ack" in heard.seen, "the ack")
        assert rig.charger.sent == [("70001", "pause", None)]
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
    rig: Rig, broker: Broker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # paho's own CONNECT lines included
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
    assert f"MQTT bridge connected to mqtt://127.0.0.1:{broker.port}" in caplog.text
    assert "refused" in caplog.text
    assert broker.password not in caplog.text  # never in a log line


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
        await heard.until(lambda: bridge.refreshes > rounds, "the round's end")
        assert heard.seen[node][1] is False  # sent now, to the subscribers there are
