"""Meter readings the way real chargers send them, at a configurable rate (issue 15).

The simulator's plain MeterValues (one total per measurand, Wh and W, one element) are what
the OCPP spec suggests; real chargers differ (recorded frames: tests/fixtures/real/ocpp). With
`ChargePointConfig.real_variants_rate` above 0, each reading independently takes each variant
with that probability, from a seeded random generator so a run can be repeated:

- `spurious_zero`: before a transaction's first reading, a MeterValues with a register of 0 at
  the transaction's start (Wallbox Pulsar Plus, MicroOcpp #128);
- `mixed_contexts`: the register at the transaction's begin sent as `Transaction.Begin` next to
  the periodic one (Growatt THOR, lbbrhzn/ocpp #1838);
- `per_phase`: power and current per phase L1..Ln without a total, voltage as L1-N (ABB Terra
  AC, Growatt THOR, lbbrhzn/ocpp #374, #1466);
- `units`: energy in kWh and power in kW (evcc #16966);
- `same_second`: one reading split into two elements with the same timestamp, power and
  current as a `Trigger` reading, the register as the periodic one (issue 15).

Every variant carries the same physical reading: the book must come out the same.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

ENERGY = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"
CURRENT = "Current.Import"
VARIANTS = ("spurious_zero", "mixed_contexts", "per_phase", "units", "same_second")


@dataclass(frozen=True, slots=True)
class Reading:
    """One true reading, with the register as this charger reports it."""

    timestamp: str
    register_wh: float
    power_w: float
    current_a: float
    phases: int
    voltage_v: float
    offered_a: float | None = None  # Current.Offered, if the charger reports it
    begin_register_wh: float | None = None  # the register at the transaction's begin


def choose(rng: random.Random, rate: float) -> frozenset[str]:
    """The variants one reading takes: each independently with probability `rate`."""
    if rate <= 0:
        return frozenset()
    return frozenset(name for name in VARIANTS if rng.random() < rate)


def elements(reading: Reading, variants: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """The `meterValue` elements (snake_case keys, as the `ocpp` library sends) of one reading."""
    kwh = "units" in variants
    energy = [_energy(reading.register_wh, "Sample.Periodic", kwh)]
    if "mixed_contexts" in variants and reading.begin_register_wh is not None:
        energy.append(_energy(reading.begin_register_wh, "Transaction.Begin", kwh))
    power = _power_and_current(reading, per_phase="per_phase" in variants, kw=kwh)
    if reading.offered_a is not None:
        power.append(
            {"measurand": "Current.Offered", "unit": "A", "value": f"{reading.offered_a:.1f}"}
        )
    if "same_second" in variants:
        trigger = [{**value, "context": "Trigger"} for value in power]
        return [
            {"timestamp": reading.timestamp, "sampled_value": trigger},
            {"timestamp": reading.timestamp, "sampled_value": energy},
        ]
    return [{"timestamp": reading.timestamp, "sampled_value": energy + power}]


def _energy(register_wh: float, context: str, kwh: bool) -> dict[str, str]:
    value = f"{register_wh / 1000:.3f}" if kwh else f"{register_wh:.0f}"
    return {"measurand": ENERGY, "unit": "kWh" if kwh else "Wh", "value": value, "context": context}


def _power_and_current(reading: Reading, *, per_phase: bool, kw: bool) -> list[dict[str, str]]:
    if not per_phase:
        return [_power(reading.power_w, kw, None), _current(reading.current_a, None)]
    values: list[dict[str, str]] = []
    share = reading.power_w / reading.phases
    for n in range(1, reading.phases + 1):
        values.append(_power(share, kw, f"L{n}"))
        values.append(_current(reading.current_a, f"L{n}"))
        values.append(
            {
                "measurand": "Voltage",
                "unit": "V",
                "value": f"{reading.voltage_v:.1f}",
                "phase": f"L{n}-N",
            }
        )
    return values


def _power(power_w: float, kw: bool, phase: str | None) -> dict[str, str]:
    value = f"{power_w / 1000:.3f}" if kw else f"{power_w:.0f}"
    sampled = {"measurand": POWER, "unit": "kW" if kw else "W", "value": value}
    return {**sampled, "phase": phase} if phase else sampled


def _current(current_a: float, phase: str | None) -> dict[str, str]:
    sampled = {"measurand": CURRENT, "unit": "A", "value": f"{current_a:.1f}"}
    return {**sampled, "phase": phase} if phase else sampled
