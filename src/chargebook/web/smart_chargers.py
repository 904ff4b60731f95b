"""The smart-charging runtime's view of the web app's charger ports and prices.

`serve.smart.SmartRuntime` drives each charger through the `SmartCharger` that
`charger_port(context)` builds (the app's command ports: the Wallbox account's shared write
budget, or the OCPP central system), on `price_source(context)`.
"""

from __future__ import annotations

from collections.abc import Callable

from chargebook.clock import Clock
from chargebook.db import Database
from chargebook.db.repositories.book_reads import BookReadRepository
from chargebook.db.smart_store import DatabasePriceCache
from chargebook.domain.models import ChargerSource
from chargebook.domain.plausibility import CLOCK_TOLERANCE
from chargebook.domain.prices import PriceSource
from chargebook.domain.smart import ChargerReading, SmartCharger
from chargebook.domain.stored import StoredCharger
from chargebook.serve.smart import network_price_source
from chargebook.smart.adapters.ocpp import OcppSmartCharger
from chargebook.smart.adapters.wallbox import reading_from_status
from chargebook.web.commands import ChargerCommand, CommandNotSupportedError, CommandRequest
from chargebook.web.context import WebContext
from chargebook.web.live import StatusReader


def price_source(context: WebContext) -> PriceSource:
    """The app's price source (built from the settings on first use)."""
    if context.prices is None:
        cache = DatabasePriceCache(context.database, context.clock)
        context.prices = network_price_source(context.settings, cache)
    return context.prices


def charger_port(context: WebContext) -> Callable[[StoredCharger], SmartCharger]:
    """The runtime's `chargers`: a `PortSmartCharger` of the app for each book charger."""
    return lambda charger: PortSmartCharger(context, charger)


class PortSmartCharger:
    """The `SmartCharger` port over the web app's command ports, for one book charger."""

    def __init__(self, context: WebContext, charger: StoredCharger) -> None:
        self._context = context
        self._charger = charger

    async def read(self, charger_id: str) -> ChargerReading:
        """Raises `CommandNotSupportedError` when no port of the source can read, or the
        port's own errors (rate limit, offline, ...)."""
        source = self._charger.charger.source
        if source is ChargerSource.OCPP:
            central = self._context.central_system
            if central is None:
                raise CommandNotSupportedError("the OCPP central system is not running")
            meter = _BookMeter(self._context.database, self._charger.id, self._context.clock)
            ocpp = OcppSmartCharger(central, meter, self._context.clock)
            return await ocpp.read(charger_id)
        port = self._context.commands.port(source)
        if not isinstance(port, StatusReader):
            raise CommandNotSupportedError(f"cannot read {source.value} chargers here")
        return reading_from_status(charger_id, await port.read_status(self._charger))

    async def set_charging(self, charger_id: str, on: bool) -> None:
        command = ChargerCommand.RESUME if on else ChargerCommand.PAUSE
        await self._context.commands.execute(self._charger, CommandRequest(command))

    async def set_current(self, charger_id: str, amps: int) -> None:
        request = CommandRequest(ChargerCommand.CURRENT, current_a=amps)
        await self._context.commands.execute(self._charger, request)


class _BookMeter:
    """`LiveMeter` for OCPP chargers: the latest sample the central system recorded."""

    def __init__(self, database: Database, book_id: int, clock: Clock) -> None:
        self._database = database
        self._book_id = book_id
        self._clock = clock

    async def live(self, charge_point_id: str) -> tuple[float, float]:
        with self._database.session() as session:
            sample = BookReadRepository(session).latest_sample(
                self._book_id, not_after=self._clock.now() + CLOCK_TOLERANCE
            )
        return (sample.power_kw, sample.energy_kwh) if sample is not None else (0.0, 0.0)
