"""Charger commands from the web page and the API: checked once, sent through the one
`ChargerControl` port (`chargebook.charger_controls` picks the charger's adapter).

A command the charger's system cannot do, or a system without a running adapter, is a
`ControlNotSupportedError` (409) with the reason; the page shows only the controls that work.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from chargebook.charger_controls import ChargerControls
from chargebook.domain.control import ControlCapabilities, ControlFeature
from chargebook.domain.stored import StoredCharger
from chargebook.errors import ChargebookError, ConflictError
from chargebook.web.errors import InvalidInputError

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


FEATURES = {
    ChargerCommand.LOCK: ControlFeature.LOCK,
    ChargerCommand.UNLOCK: ControlFeature.LOCK,
    ChargerCommand.PAUSE: ControlFeature.PAUSE_RESUME,
    ChargerCommand.RESUME: ControlFeature.PAUSE_RESUME,
    ChargerCommand.CURRENT: ControlFeature.CURRENT,
    ChargerCommand.RESTART: ControlFeature.RESTART,
    ChargerCommand.ENERGY_PRICE: ControlFeature.ENERGY_PRICE,
}


async def send_command(
    controls: ChargerControls, charger: StoredCharger, request: CommandRequest
) -> None:
    """Send `request` to the charger through its adapter.

    Raises:
        ConflictError: the charger was transferred to a new owner.
        ControlNotSupportedError: no adapter for the charger's source, or it cannot do this.
        ChargebookError: the adapter's errors (rate limit, offline, refused, ...).
    """
    if charger.transferred:
        # An earlier owner's row (a house sale): the charger is no longer theirs to control.
        raise ConflictError("this charger was transferred to its new owner")
    control = controls.for_charger(charger)
    cid = charger.charger.external_id
    control.capabilities(cid).require(FEATURES[request.command])
    match request.command:
        case ChargerCommand.LOCK | ChargerCommand.UNLOCK:
            await control.set_locked(cid, request.command is ChargerCommand.LOCK)
        case ChargerCommand.PAUSE | ChargerCommand.RESUME:
            await control.set_charging(cid, request.command is ChargerCommand.RESUME)
        case ChargerCommand.CURRENT:
            assert request.current_a is not None  # check_command guarantees it
            await control.set_current(cid, request.current_a)
        case ChargerCommand.RESTART:
            await control.restart(cid)
        case ChargerCommand.ENERGY_PRICE:
            assert request.price_per_kwh is not None
            await control.set_energy_price(cid, request.price_per_kwh)


@dataclass(frozen=True, slots=True)
class ControlsView:
    """What the charger page offers: `capabilities` None when no adapter runs for it, and
    `notes` saying why a control is missing."""

    capabilities: ControlCapabilities | None
    notes: tuple[str, ...]

    def offers(self, feature: str) -> bool:
        """Whether to show the control of `feature` (a `ControlFeature` value)."""
        return self.capabilities is not None and self.capabilities.supports(ControlFeature(feature))


def controls_view(controls: ChargerControls, charger: StoredCharger) -> ControlsView:
    """The controls the charger's system supports (no I/O: asking costs no request)."""
    try:
        capabilities = controls.for_charger(charger).capabilities(charger.charger.external_id)
    except ChargebookError as exc:
        return ControlsView(None, (exc.message,))
    return ControlsView(capabilities, tuple(capabilities.why_not(f) for f in capabilities.missing))
