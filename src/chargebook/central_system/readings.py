"""Parse OCPP 1.6 `meterValue` lists and timestamps into the book's readings.

Each sampled value is read by its measurand, context, location, phase and unit, as real
chargers send them (see `quirks.READING_QUIRKS` for the sources):

- Units: energy in Wh or kWh, power in W or kW, current in A (case-insensitive; a missing
  unit is the measurand's default). A value in any other unit is skipped, never guessed.
- Contexts are never added up. One `meterValue` can carry the same measurand twice, e.g. a
  Growatt THOR's `Sample.Periodic` register next to its `Transaction.Begin` register; each
  measurand is taken from the best context present (periodic, clock, trigger, ..., end). A
  `Transaction.Begin` value describes the start of the transaction, not this moment: it is
  used only when nothing else is in the element, otherwise kept as evidence
  (`begin_register_wh`).
- Phases: a total (no phase) wins; without one, L1..L3 of energy and power are summed and the
  highest phase current is kept. Neutral (`N`) and line-to-line phases are never summed.
- Location: `Outlet`, then an unnamed location, then `Body` (a BMW/Delta wallbox reports its
  meter there), then `Inlet`; `EV` and `Cable` never carry the charger's energy, power or
  current.
- Duplicates in one context (MicroOcpp sent two energy registers, 0 then the real one): the
  register is the highest (a register only grows), other measurands the last value.
- Several `meterValue` elements with the same timestamp are one instant: merged into one
  reading (later values win, the register is the highest).

Values are strings on the wire and may carry spaces (" 0.0"); unparseable or non-finite values
are skipped.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from chargebook.domain.ocpp import MeterReading

ENERGY = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"
CURRENT = "Current.Import"
BEGIN = "Transaction.Begin"
_CANONICAL = {name.lower(): name for name in (ENERGY, POWER, CURRENT)}
# Decimal, so "11.040" kW is exactly 11040 W (a float product would not be).
_SCALES = {
    ENERGY: {"wh": Decimal(1), "kwh": Decimal(1000)},
    POWER: {"w": Decimal(1), "kw": Decimal(1000)},
    CURRENT: {"a": Decimal(1)},
}
_DEFAULT_UNIT = {ENERGY: "wh", POWER: "w", CURRENT: "a"}
# Which value describes "now" best when one element carries several contexts.
_CONTEXT_RANK = {
    "sample.periodic": 0,
    "sample.clock": 1,
    "trigger": 2,
    "other": 3,
    "interruption.end": 4,
    "interruption.begin": 5,
    "transaction.end": 6,
    "transaction.begin": 8,
}
_UNKNOWN_CONTEXT_RANK = 7
_LOCATION_RANK = {"outlet": 0, "": 1, "body": 2, "inlet": 3}
_PHASES = ("L1", "L2", "L3")


def parse_timestamp(text: str) -> datetime:
    """An OCPP timestamp as a UTC-aware datetime (a naive one is taken as UTC).

    Raises:
        ValueError: not an ISO 8601 timestamp.
    """
    moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class _Value:
    measurand: str
    context_rank: int
    location_rank: int
    phase: str | None  # "L1".."L3", or None for a total
    value: float


def parse_meter_values(meter_value: Sequence[Mapping[str, Any]]) -> list[MeterReading]:
    """One reading per distinct timestamp (snake_case keys, as the `ocpp` library gives)."""
    by_instant: dict[datetime, MeterReading] = {}
    for element in meter_value:
        try:
            observed_at = parse_timestamp(str(element["timestamp"]))
        except (KeyError, ValueError):
            continue
        reading = _reading(observed_at, element.get("sampled_value") or [])
        earlier = by_instant.get(observed_at)
        by_instant[observed_at] = reading if earlier is None else _merge(earlier, reading)
    return list(by_instant.values())


def _reading(observed_at: datetime, sampled_values: Sequence[Mapping[str, Any]]) -> MeterReading:
    values: list[_Value] = []
    extra: dict[str, Any] = {}
    for sampled in sampled_values:
        measurand_text = str(sampled.get("measurand") or ENERGY)
        measurand = _CANONICAL.get(measurand_text.lower())
        number = _number(sampled.get("value"))
        if number is None:
            continue
        phase = sampled.get("phase")
        if measurand is None:
            extra[f"{measurand_text}.{phase}" if phase else measurand_text] = float(number)
            continue
        parsed = _value(measurand, sampled, number)
        if parsed is not None:
            values.append(parsed)
    begin_rank = _CONTEXT_RANK["transaction.begin"]
    only_begin = all(v.context_rank == begin_rank for v in values)
    chosen = values if only_begin else [v for v in values if v.context_rank != begin_rank]
    begin_energy = None if only_begin else _measure([v for v in values if v not in chosen], ENERGY)
    if begin_energy is not None:
        extra["transaction_begin_register_wh"] = begin_energy
    return MeterReading(
        observed_at=observed_at,
        energy_register_wh=_measure(chosen, ENERGY),
        power_w=_measure(chosen, POWER),
        current_a=_measure(chosen, CURRENT),
        extra=extra,
        begin_register_wh=begin_energy,
    )


def _value(measurand: str, sampled: Mapping[str, Any], number: Decimal) -> _Value | None:
    unit = str(sampled.get("unit") or _DEFAULT_UNIT[measurand]).strip().lower()
    scale = _SCALES[measurand].get(unit)
    location = str(sampled.get("location") or "").strip().lower()
    if scale is None or location not in _LOCATION_RANK:
        return None
    phase_text = sampled.get("phase")
    phase = _phase(str(phase_text)) if phase_text else None
    if phase_text and phase is None:
        return None  # neutral or line-to-line: not part of the charger's total
    context = str(sampled.get("context") or "Sample.Periodic").strip().lower()
    return _Value(
        measurand,
        _CONTEXT_RANK.get(context, _UNKNOWN_CONTEXT_RANK),
        _LOCATION_RANK[location],
        phase,
        float(number * scale),
    )


def _phase(text: str) -> str | None:
    # "L1" and "L1-N" (phase to neutral) name phase 1; "N", "L1-L2" and "L2-L3" do not.
    head, _, tail = text.strip().upper().partition("-")
    return head if head in _PHASES and tail in ("", "N") else None


def _number(raw: object) -> Decimal | None:
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() and math.isfinite(float(number)) else None


def _measure(values: Sequence[_Value], measurand: str) -> float | None:
    """The measurand's value from its best context and location: a total, else the phases."""
    own = [v for v in values if v.measurand == measurand]
    if not own:
        return None
    best = min((v.context_rank, v.location_rank) for v in own)
    own = [v for v in own if (v.context_rank, v.location_rank) == best]
    totals = [v.value for v in own if v.phase is None]
    if totals:
        return _pick(measurand, totals)
    per_phase = [
        _pick(measurand, [v.value for v in own if v.phase == phase])
        for phase in _PHASES
        if any(v.phase == phase for v in own)
    ]
    return max(per_phase) if measurand == CURRENT else sum(per_phase)


def _pick(measurand: str, candidates: Sequence[float]) -> float:
    # A register only grows: of two in one context the higher is the register (a spurious 0
    # sits next to the real one); other measurands: the last one sent.
    return max(candidates) if measurand == ENERGY else candidates[-1]


def _merge(earlier: MeterReading, later: MeterReading) -> MeterReading:
    """Two readings of one instant: the later's values win, the register is the highest."""
    registers = [r for r in (earlier.energy_register_wh, later.energy_register_wh) if r is not None]
    return replace(
        later,
        energy_register_wh=max(registers) if registers else None,
        power_w=later.power_w if later.power_w is not None else earlier.power_w,
        current_a=later.current_a if later.current_a is not None else earlier.current_a,
        extra={**earlier.extra, **later.extra},
        begin_register_wh=(
            later.begin_register_wh
            if later.begin_register_wh is not None
            else earlier.begin_register_wh
        ),
    )
