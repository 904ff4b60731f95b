"""`WallboxControl`: the `ChargerControl` port over the Wallbox Cloud client.

Everything goes through the client, so every request spends the account's shared
`RequestBudget` (3 reads and 5 writes per rolling minute) and every write is the client's
confirmed write (`wallbox/confirm.py`): sent once, and when its reply is lost the charger is
read back instead of sending it again. Pause/resume are remote actions 2/1, the current and the
lock one `PUT v2/charger`, restart remote action 3, the energy price `chargers/config`.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from chargebook.domain.control import ControlCapabilities, ControlFeature
from chargebook.domain.models import ChargerStatus
from chargebook.wallbox.client import WallboxClient

CAPABILITIES = ControlCapabilities(system="Wallbox", features=frozenset(ControlFeature))


class WallboxControl:
    """Adapts one account's `WallboxClient`; errors are the client's `WallboxError`s.

    `client` may be a factory, called once on first use: the composition root builds the
    client from stored credentials only when a command or read really needs it (asking what
    a charger supports costs nothing).
    """

    def __init__(self, client: WallboxClient | Callable[[], WallboxClient]) -> None:
        self._client: WallboxClient | None = client if isinstance(client, WallboxClient) else None
        self._factory = None if isinstance(client, WallboxClient) else client

    @property
    def client(self) -> WallboxClient:
        if self._client is None:
            assert self._factory is not None
            self._client = self._factory()
        return self._client

    def capabilities(self, charger_id: str) -> ControlCapabilities:
        return CAPABILITIES

    async def read(self, charger_id: str) -> ChargerStatus:
        return await self.client.get_status(charger_id)

    async def set_charging(self, charger_id: str, on: bool) -> None:
        if on:
            await self.client.resume(charger_id)
        else:
            await self.client.pause(charger_id)

    async def set_current(self, charger_id: str, amps: int) -> None:
        await self.client.set_max_current(charger_id, amps)

    async def set_locked(self, charger_id: str, locked: bool) -> None:
        await self.client.set_locked(charger_id, locked)

    async def restart(self, charger_id: str) -> None:
        await self.client.restart(charger_id)

    async def set_energy_price(self, charger_id: str, price_per_kwh: Decimal) -> None:
        await self.client.set_energy_price(charger_id, price_per_kwh)


if TYPE_CHECKING:
    from chargebook.domain.ports import ChargerControl

    def _implements_port(control: WallboxControl) -> ChargerControl:
        return control  # mypy proves the adapter satisfies the port
