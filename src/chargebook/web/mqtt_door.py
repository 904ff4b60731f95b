"""The MQTT bridge's door into the web app's services, and its part of the lifespan.

`WebChargerDoor` gives the bridge (`chargebook.mqtt`) the charger page's live readings (the
same cache, so the bridge spends no extra reads of a Wallbox account's budget) and sends its
commands through the page's and the API's command service (`web.commands`: one check, one
`ChargerControl` port, the account's write budget). `mqtt_bridge(context, app)` runs the
bridge with this door while `serve` (or the web demo) runs, when CHARGEBOOK_MQTT_URL is set.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from chargebook.domain.control import ControlFeature
from chargebook.domain.stored import StoredCharger
from chargebook.mqtt.ports import ChargerReading, Command
from chargebook.serve.mqtt import run_mqtt_bridge
from chargebook.web.commands import ChargerCommand, check_command, controls_view, send_command
from chargebook.web.context import WebContext
from chargebook.web.live import LiveStatus
from chargebook.web.page_services import live_status_of


class WebChargerDoor:
    """`mqtt.ports.ChargerDoor` over the web app's live readings and command service."""

    def __init__(self, context: WebContext, live: LiveStatus) -> None:
        self._context, self._live = context, live

    async def reading(self, charger: StoredCharger) -> ChargerReading:
        found = await self._live.reading(charger)
        return ChargerReading(
            state=found.state.value,
            power_kw=found.power_kw,
            energy_kwh=found.energy_kwh,
            current_a=found.current_a,
            max_current_a=found.max_current_a,
            locked=found.locked,
            car_connected=found.car_connected,
            observed_at=found.observed_at,
            live=found.live,
        )

    def features(self, charger: StoredCharger) -> frozenset[ControlFeature]:
        capabilities = controls_view(self._context.controls, charger).capabilities
        return capabilities.features if capabilities is not None else frozenset()

    async def send(self, charger: StoredCharger, command: Command, current_a: int | None) -> None:
        request = check_command(charger, ChargerCommand(command.value), current_a=current_a)
        try:
            await send_command(self._context.controls, charger, request)
        finally:
            self._live.invalidate(charger.id)  # the next reading shows the command's effect


@asynccontextmanager
async def mqtt_bridge(context: WebContext, app: FastAPI) -> AsyncIterator[None]:
    """Run the MQTT bridge (none without CHARGEBOOK_MQTT_URL) beside the app."""
    door = WebChargerDoor(context, live_status_of(app))
    async with run_mqtt_bridge(context, door=door):
        yield
