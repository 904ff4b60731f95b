"""A charger sold while the bridge runs (`chargebook chargers transfer` to an owner outside
the bridge's scope): its entities are removed from Home Assistant (empty retained configs),
its old states cleared, and a command to it is refused without reaching it."""

from __future__ import annotations

import asyncio
import json

from chargebook.db.book.transfers import transfer_charger

from .rig import OWNER_B, Broker, Rig, listening, running


async def test_a_sold_charger_disappears_and_is_no_longer_commanded(
    rig: Rig, broker: Broker
) -> None:
    a = f"chargebook/charger/{rig.a_id}"
    config = f"homeassistant/sensor/chargebook_charger_{rig.a_id}/power/config"
    async with running(rig) as bridge, listening(broker) as (client, heard):
        await heard.until(lambda: bool(heard.payload(config)), "the power sensor's config")
        with rig.context.database.transaction() as session:
            transfer_charger(
                session, rig.context.clock, charger_id=rig.a_id, to_email=OWNER_B, actor="test"
            )
        bridge.refresh_soon()
        await heard.until(lambda: heard.payload(config) == "", "the config removed")
        await heard.until(lambda: heard.payload(f"{a}/power") == "", "the state cleared")
        await client.publish(f"{a}/charging/set", "OFF", qos=1)
        await heard.until(lambda: f"{a}/ack" in heard.seen, "the refusal")
        ack = json.loads(heard.payload(f"{a}/ack") or "{}")
        assert ack["result"] == "refused"
        assert rig.charger.sent == []
    async with listening(broker) as (_, later):
        await later.until(lambda: "chargebook/status" in later.seen, "the retained status")
        await asyncio.sleep(0.5)  # the rest of what the broker retained
        assert not any(t.startswith(f"{a}/") and t != f"{a}/ack" for t in later.seen)
        assert config not in later.seen  # nothing retained: Home Assistant forgets it
