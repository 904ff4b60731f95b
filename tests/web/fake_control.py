"""A `ChargerControl` fake for web tests: remembers what it was asked, reads a status when
given one (the Wallbox and OCPP adapters have their contract tests against the simulators)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from chargebook.domain.control import (
    ControlCapabilities,
    ControlFeature,
    ControlNotSupportedError,
)
from chargebook.domain.models import ChargerStatus
from chargebook.domain.ports import ChargerControl
from chargebook.domain.stored import StoredCharger


class FakeControl:
    """Records `(charger_id, command, argument)`; `status` (None: no live reading) makes the
    charger's live state."""

    def __init__(
        self,
        status: Callable[[str], ChargerStatus] | None = None,
        features: frozenset[ControlFeature] = frozenset(ControlFeature),
        *,
        live_reading: bool | None = None,
    ) -> None:
        self._status = status
        # live_reading=False: the status's state is live, its power and energy the book's
        # (as OCPP chargers report them).
        live = status is not None if live_reading is None else live_reading
        self._capabilities = ControlCapabilities(
            system="Fake", features=features, live_reading=live
        )
        self.sent: list[tuple[str, str, object]] = []
        self.reads = 0

    def capabilities(self, charger_id: str) -> ControlCapabilities:
        return self._capabilities

    async def read(self, charger_id: str) -> ChargerStatus:
        if self._status is None:
            # Like an adapter whose charger reports no state (the page shows the book's sample).
            raise ControlNotSupportedError("the fake charger reports no live state")
        self.reads += 1
        return self._status(charger_id)

    async def set_charging(self, charger_id: str, on: bool) -> None:
        self.sent.append((charger_id, "resume" if on else "pause", None))

    async def set_current(self, charger_id: str, amps: int) -> None:
        self.sent.append((charger_id, "current", amps))

    async def set_locked(self, charger_id: str, locked: bool) -> None:
        self.sent.append((charger_id, "lock" if locked else "unlock", None))

    async def restart(self, charger_id: str) -> None:
        self.sent.append((charger_id, "restart", None))

    async def set_energy_price(self, charger_id: str, price_per_kwh: Decimal) -> None:
        self.sent.append((charger_id, "energy-price", price_per_kwh))

    def factory(self, charger: StoredCharger) -> ChargerControl:
        """For `ChargerControls.register`: this fake for every charger of the source."""
        return self
