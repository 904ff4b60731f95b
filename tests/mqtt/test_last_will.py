"""The last will: a chargebook that dies without saying goodbye (SIGKILL, a pulled cable) is
`offline` on `chargebook/status` all the same, because the broker publishes the will the
bridge left when it connected. The bridge runs in a process of its own that the test kills."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from .rig import Broker, listening

# A bridge over an empty book (nothing to publish but its status), until killed.
SCRIPT = """
import asyncio
from chargebook.clock import SystemClock
from chargebook.db import open_database
from chargebook.mqtt.bridge import MqttBridge
from chargebook.mqtt.config import mqtt_config
from chargebook.settings import Settings

settings = Settings()
config = mqtt_config(settings)
assert config is not None
asyncio.run(MqttBridge(config, open_database(settings), SystemClock(), door=None).run())
"""


async def test_a_killed_bridge_leaves_offline_behind(broker: Broker, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CHARGEBOOK_DATA_DIR": str(tmp_path / "data"),
        "CHARGEBOOK_MQTT_URL": broker.url,
    }
    env.pop("CHARGEBOOK_DATABASE_URL", None)
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", SCRIPT, env=env)
    try:
        async with listening(broker) as (_, heard):
            await heard.until(lambda: heard.payload("chargebook/status") == "online", "online", 30)
            process.send_signal(signal.SIGKILL)
            await asyncio.wait_for(process.wait(), 10)
            await heard.until(lambda: heard.payload("chargebook/status") == "offline", "the will")
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
