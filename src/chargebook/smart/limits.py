"""What the planner assumes of a charger it has not watched charge yet."""

from __future__ import annotations

from chargebook.domain.prices import ChargerLimits
from chargebook.domain.stored import StoredCharger

DEFAULT_MAX_CURRENT_A = 16


def charger_limits(charger: StoredCharger) -> ChargerLimits:
    """What the planner assumes of a charger: its maximum current (16 A when the source does
    not say) on three phases at 230 V; the controller learns a slower car while it charges."""
    max_a = max(6, charger.charger.max_current_a or DEFAULT_MAX_CURRENT_A)
    return ChargerLimits(max_current_a=float(max_a), phases=3)
