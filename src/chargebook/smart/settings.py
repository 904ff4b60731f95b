"""The smart controller's knobs (`ControllerSettings`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from chargebook.domain.prices import PlanOptions
from chargebook.smart.runtime import SMALL_SLOT


@dataclass(frozen=True, slots=True)
class ControllerSettings:
    """Knobs; seconds unless said otherwise. Reads cost budget (Wallbox: 3/min, writes 5/min)."""

    poll_interval_s: float = 300.0
    price_refresh_s: float = 900.0
    small_slot: timedelta = SMALL_SLOT
    confirm_delay_s: float = 10.0
    write_attempts: int = 3
    control_current: bool = True
    # Plan to finish this long before departure: ticks, confirm delays and a car that tapers
    # eat a few minutes, and a just-in-time plan has no slack for them.
    departure_margin: timedelta = timedelta(minutes=5)
    options: PlanOptions = field(default_factory=PlanOptions)
