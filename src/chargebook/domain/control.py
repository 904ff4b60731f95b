"""What commanding a charger can do, brand by brand: the values of the `ChargerControl` port
(`domain/ports.py`).

Every adapter says what its chargers support (`ControlCapabilities`), so the web shows only the
controls that work and a command a brand cannot do is a clear `ControlNotSupportedError` (409)
rather than a silent no-op. `reading_from_status` turns the port's live state into what the
smart-charging controller steers by.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from chargebook.domain.models import ChargerState, ChargerStatus
from chargebook.domain.smart import ChargerReading
from chargebook.errors import ChargebookError, ConflictError


class ControlFeature(StrEnum):
    """One thing a charger can be told to do."""

    PAUSE_RESUME = "pause_resume"
    CURRENT = "current"
    LOCK = "lock"
    RESTART = "restart"
    ENERGY_PRICE = "energy_price"

    @property
    def verb(self) -> str:
        """The feature in words, for messages ("cannot lock or unlock")."""
        return _VERBS[self]


_VERBS = {
    ControlFeature.PAUSE_RESUME: "pause or resume charging",
    ControlFeature.CURRENT: "set the charging current",
    ControlFeature.LOCK: "lock or unlock",
    ControlFeature.RESTART: "restart",
    ControlFeature.ENERGY_PRICE: "set the energy price",
}


class ControlNotSupportedError(ConflictError):
    """The charger's system cannot do this command (or no adapter for it is running here)."""


class LiveStateIncompleteError(ChargebookError):
    """The live state lacks a value steering needs; the next reading usually has it."""

    retryable = True

    def __init__(self, message: str, *, field: str, charger_id: str) -> None:
        super().__init__(message)
        self.field = field
        self.charger_id = charger_id


@dataclass(frozen=True, slots=True)
class ControlCapabilities:
    """What one system's chargers support.

    `system` names it in messages ("OCPP 1.6"). `live_reading` is False when `read` mixes the
    charger's live status with values recorded earlier (OCPP: power and energy come from the
    last MeterValues), so a page does not present it as a live reading. `reports_current_limit`
    is True when the live state carries the current limit, so steering waits for it when a
    reading lacks it. `reasons` explain a missing feature (shown next to the controls).
    """

    system: str
    features: frozenset[ControlFeature]
    live_reading: bool = True
    reports_current_limit: bool = True
    reasons: dict[ControlFeature, str] = field(default_factory=dict)

    def supports(self, feature: ControlFeature) -> bool:
        return feature in self.features

    def why_not(self, feature: ControlFeature) -> str:
        """Why `feature` is not available (a sentence for a message or the page)."""
        default = f"{self.system} chargers cannot {feature.verb} from chargebook"
        return self.reasons.get(feature, default)

    def require(self, feature: ControlFeature) -> None:
        """Raises `ControlNotSupportedError` (with the reason) unless `feature` is supported."""
        if feature not in self.features:
            raise ControlNotSupportedError(self.why_not(feature))

    @property
    def missing(self) -> Iterable[ControlFeature]:
        """The features this system lacks, in a stable order."""
        return [feature for feature in ControlFeature if feature not in self.features]


def reading_from_status(
    charger_id: str, status: ChargerStatus, capabilities: ControlCapabilities
) -> ChargerReading:
    """The controller's view of a live state (current limit in A, power in kW).

    Raises:
        LiveStateIncompleteError: the state lacks the power, the session energy or (where the
            system reports it) the current limit, without which the controller cannot steer.
    """
    power_kw, energy_kwh = status.charging_power_kw, status.session_energy_kwh
    limit_a = status.max_charging_current_a
    if power_kw is None:
        raise _missing(charger_id, "charging_power_kw")
    if energy_kwh is None:
        raise _missing(charger_id, "session_energy_kwh")
    if limit_a is None and capabilities.reports_current_limit:
        raise _missing(charger_id, "max_charging_current_a")
    return ChargerReading(
        charger_id=charger_id,
        observed_at=status.observed_at,
        car_connected=status.car_connected,
        charging=status.state is ChargerState.CHARGING,
        paused=status.state is ChargerState.PAUSED,
        power_kw=power_kw,
        session_energy_kwh=energy_kwh,
        current_limit_a=float(limit_a) if limit_a is not None else None,
    )


def _missing(charger_id: str, name: str) -> LiveStateIncompleteError:
    return LiveStateIncompleteError(
        f"the charger's live state does not say {name}; smart charging waits for it",
        field=name,
        charger_id=charger_id,
    )
