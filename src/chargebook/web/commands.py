"""`ChargerCommands`: lock/unlock, pause/resume, current, restart, energy price, per source.

The service checks the request once and hands it to the port of the charger's source:
`WallboxCommandPort` (the cloud, with the account's stored credentials and its shared write
budget) or `OcppCommandPort` (the central system, registered when `serve` starts it). A source
without a port, or a command its port cannot do, is a `CommandNotSupportedError` (409).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from chargebook.domain.models import ChargerSource
from chargebook.domain.stored import StoredCharger
from chargebook.errors import ConflictError
from chargebook.web.errors import InvalidInputError

if TYPE_CHECKING:
    from chargebook.central_system import CentralSystem

MIN_CURRENT_A = 6  # IEC 61851: below 6 A a car does not charge
MAX_CURRENT_A = 80
MAX_PRICE_EUR_PER_KWH = Decimal("10")


class ChargerCommand(StrEnum):
    """What `/api/v1/chargers/{id}/commands/{command}` can ask."""

    LOCK = "lock"
    UNLOCK = "unlock"
    PAUSE = "pause"
    RESUME = "resume"
    CURRENT = "current"
    RESTART = "restart"
    ENERGY_PRICE = "energy-price"


@dataclass(frozen=True, slots=True)
class CommandRequest:
    """A checked command; `current_a` for CURRENT, `price_per_kwh` for ENERGY_PRICE."""

    command: ChargerCommand
    current_a: int | None = None
    price_per_kwh: Decimal | None = None


class CommandNotSupportedError(ConflictError):
    """The charger's source cannot do this command (or no port for it is running)."""


class CommandPort(Protocol):
    """Executes commands on the chargers of one source."""

    async def execute(self, charger: StoredCharger, request: CommandRequest) -> None:
        """Send the command; raises the adapter's ChargebookError subclasses on failure."""
        ...


def check_command(
    charger: StoredCharger,
    command: ChargerCommand,
    *,
    current_a: int | None = None,
    price_per_kwh: Decimal | None = None,
) -> CommandRequest:
    """The request, if its arguments fit the command and the charger.

    Raises:
        InvalidInputError: a missing or out-of-range current or price.
    """
    if command is ChargerCommand.CURRENT:
        limit = charger.charger.max_current_a or MAX_CURRENT_A
        if current_a is None or not MIN_CURRENT_A <= current_a <= limit:
            raise InvalidInputError(
                f"current_a must be between {MIN_CURRENT_A} and {limit} A", field="current_a"
            )
        return CommandRequest(command, current_a=current_a)
    if command is ChargerCommand.ENERGY_PRICE:
        if price_per_kwh is None or not Decimal(0) <= price_per_kwh <= MAX_PRICE_EUR_PER_KWH:
            raise InvalidInputError(
                f"price_per_kwh must be between 0 and {MAX_PRICE_EUR_PER_KWH}",
                field="price_per_kwh",
            )
        return CommandRequest(command, price_per_kwh=price_per_kwh)
    return CommandRequest(command)


class ChargerCommands:
    """Routes a checked command to the port of the charger's source."""

    def __init__(self, ports: Mapping[ChargerSource, CommandPort] | None = None) -> None:
        self._ports: dict[ChargerSource, CommandPort] = dict(ports or {})

    def register(self, source: ChargerSource, port: CommandPort) -> None:
        """Plug in (or replace) the port of a source, e.g. when the central system starts."""
        self._ports[source] = port

    def unregister(self, source: ChargerSource) -> None:
        """Remove a source's port (its system stopped)."""
        self._ports.pop(source, None)

    def port(self, source: ChargerSource) -> CommandPort | None:
        """The port of a source, if one is plugged in (e.g. to read live status through it)."""
        return self._ports.get(source)

    async def execute(self, charger: StoredCharger, request: CommandRequest) -> None:
        """Send `request` to the charger through its source's port.

        Raises:
            CommandNotSupportedError: no port for the source, or the port cannot do it.
            ChargebookError: the adapter's errors (rate limit, offline, refused, ...).
        """
        if charger.transferred:
            # An earlier owner's row (a house sale): the charger is no longer theirs to control.
            raise ConflictError("this charger was transferred to its new owner")
        port = self._ports.get(charger.charger.source)
        if port is None:
            raise CommandNotSupportedError(
                f"commands to {charger.charger.source.value} chargers are not available here"
            )
        await port.execute(charger, request)


class OcppCommandPort:
    """Commands through chargebook's own OCPP 1.6J central system (charge point id =
    the charger's external id). OCPP 1.6 has no lock or energy price: those are refused."""

    def __init__(self, central: CentralSystem) -> None:
        self._central = central

    async def execute(self, charger: StoredCharger, request: CommandRequest) -> None:
        cp_id = charger.charger.external_id
        match request.command:
            case ChargerCommand.PAUSE:
                await self._central.pause(cp_id)
            case ChargerCommand.RESUME:
                await self._central.resume(cp_id)
            case ChargerCommand.CURRENT:
                assert request.current_a is not None  # check_command guarantees it
                await self._central.set_current(cp_id, float(request.current_a))
            case ChargerCommand.RESTART:
                await self._central.reset(cp_id)
            case _:
                raise CommandNotSupportedError(
                    f"OCPP 1.6 chargers cannot {request.command.value} from chargebook"
                )
