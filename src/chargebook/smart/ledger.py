"""What a plugged-in period actually cost, and what charging at once would have cost.

The controller reads the session's energy counter at every tick; each increase is an entry
`[start, end) -> kWh`. An entry is spread evenly over the quarters it overlaps and priced at
each quarter's all-in price (the owner's tariff: the runtime hands the controller prices
priced at it, `prices.tariffed`). While the car charges at a known power, an entry is assumed to
end at the reading (start = end - kWh / power), which keeps plug-in bursts in the right
quarter even when the previous reading is long ago.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from chargebook.domain.prices import (
    SLOT,
    ChargeGoal,
    ChargerLimits,
    PriceBasis,
    PriceCurve,
    floor_to_slot,
)
from chargebook.domain.smart import SessionSaving
from chargebook.planner import charge_now

_CENTS = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class Entry:
    """`energy_kwh` delivered during `[start, end)` (UTC)."""

    start: datetime
    end: datetime
    energy_kwh: float


@dataclass(slots=True)
class EnergyLedger:
    """The entries of one plugged-in period, in time order."""

    entries: list[Entry] = field(default_factory=list)

    @property
    def energy_kwh(self) -> float:
        return sum(e.energy_kwh for e in self.entries)

    def add(self, start: datetime, end: datetime, energy_kwh: float, power_kw: float) -> None:
        """Record `energy_kwh` seen between two readings; `power_kw` > 0 if charging at `end`."""
        if energy_kwh <= 0 or end <= start:
            return
        if power_kw > 0:
            start = max(start, end - timedelta(hours=energy_kwh / power_kw))
        self.entries.append(Entry(start, end, energy_kwh))

    def cost(self, curve: PriceCurve | None) -> tuple[Decimal, bool]:
        """Σ kWh × all-in EUR/kWh, and whether every kWh had a price."""
        prices = {s.start: s.price(PriceBasis.ALL_IN) for s in curve.slots} if curve else {}
        total = Decimal(0)
        complete = True
        for entry in self.entries:
            span = (entry.end - entry.start).total_seconds()
            quarter = floor_to_slot(entry.start)
            while quarter < entry.end:
                overlap = min(quarter + SLOT, entry.end) - max(quarter, entry.start)
                share = entry.energy_kwh * overlap.total_seconds() / span
                price = prices.get(quarter)
                if price is None:
                    complete = False
                else:
                    total += Decimal(f"{share:.6f}") * price
                quarter += SLOT
        return total.quantize(_CENTS), complete


def session_saving(
    charger_id: str,
    ledger: EnergyLedger,
    *,
    plugged_in_at: datetime,
    unplugged_at: datetime,
    limits: ChargerLimits,
    curve: PriceCurve | None,
) -> SessionSaving:
    """The saving of one plugged-in period against charging the same energy at once."""
    energy = ledger.energy_kwh
    actual, actual_complete = ledger.cost(curve)
    # The reference charges at full power from plug-in; give it all the time it needs.
    enough = plugged_in_at + timedelta(hours=energy / limits.power_kw) + SLOT
    reference = charge_now(
        ChargeGoal(energy_kwh=energy, departure=max(enough, unplugged_at)),
        limits,
        curve,
        now=plugged_in_at,
    )
    return SessionSaving(
        charger_id=charger_id,
        plugged_in_at=plugged_in_at,
        unplugged_at=unplugged_at,
        energy_kwh=Decimal(f"{energy:.6f}"),
        actual_cost_eur=actual,
        charge_now_cost_eur=reference.cost_eur,
        cost_complete=actual_complete and reference.cost_complete,
    )
