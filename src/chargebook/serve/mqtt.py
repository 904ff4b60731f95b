"""The MQTT bridge while `chargebook serve` (or `chargebook demo`) runs.

`run_mqtt_bridge(parts, door=...)` starts `mqtt.MqttBridge` as a task when
`CHARGEBOOK_MQTT_URL` is set (yielding it; None otherwise) and stops it on exit, publishing
`offline` on the way out. The composition root hands over the `door` (live readings and the
command service: `web.mqtt_door`), so the runtime knows no web module.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from chargebook.mqtt.bridge import MqttBridge
from chargebook.mqtt.config import mqtt_config
from chargebook.mqtt.ports import ChargerDoor
from chargebook.serve.parts import RuntimeParts

_LOGGER = logging.getLogger(__name__)


@asynccontextmanager
async def run_mqtt_bridge(
    parts: RuntimeParts, *, door: ChargerDoor, reconnect_s: float = 5.0
) -> AsyncIterator[MqttBridge | None]:
    """Run the bridge while the block runs (see the module docstring).

    Raises:
        ConfigurationError: a bad CHARGEBOOK_MQTT_URL or topic prefix (before anything starts).
    """
    config = mqtt_config(parts.settings)
    if config is None:
        yield None
        return
    bridge = MqttBridge(config, parts.database, parts.clock, door, reconnect_s=reconnect_s)
    task = asyncio.create_task(bridge.run(), name="chargebook-mqtt")
    _LOGGER.info("MQTT bridge to %s started", config.where)
    try:
        yield bridge
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
