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
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from chargebook.domain.ocpp import MeterReading

ENERGY = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"
CURRENT = "Current.Import"
BEGIN = "Transaction.Begin"
_CANONICAL = {name.lower(): name for name in (ENERGY, POWER, CURRENT)}
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


# One usable sampled value: (measurand, context rank, location rank, phase or None, value).
# A plain tuple: this runs for every sampled value of every MeterValues (the hot path).
_Value = tuple[str, int, int, str | None, float]
_BEGIN_RANK = _CONTEXT_RANK["transaction.begin"]


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
    now: dict[str, list[_Value]] = {}  # this moment's values, by measurand
    begin: dict[str, list[_Value]] = {}  # Transaction.Begin values, by measurand
    extra: dict[str, Any] = {}
    for sampled in sampled_values:
        measurand_text = str(sampled.get("measurand") or ENERGY)
        measurand = _CANONICAL.get(measurand_text.lower())
        text = str(sampled.get("value")).strip()
        number = _number(text)
        if number is None:
            continue
        if measurand is None:
            phase = sampled.get("phase")
            extra[f"{measurand_text}.{phase}" if phase else measurand_text] = number
            continue
        parsed = _value(measurand, sampled, text, number)
        if parsed is not None:
            (begin if parsed[1] == _BEGIN_RANK else now).setdefault(measurand, []).append(parsed)
    if not now:  # only Transaction.Begin values: they are this moment's reading
        now, begin = begin, {}
    begin_energy = _measure(begin.get(ENERGY), ENERGY)
    if begin_energy is not None:
        extra["transaction_begin_register_wh"] = begin_energy
    return MeterReading(
        observed_at=observed_at,
        energy_register_wh=_measure(now.get(ENERGY), ENERGY),
        power_w=_measure(now.get(POWER), POWER),
        current_a=_measure(now.get(CURRENT), CURRENT),
        extra=extra,
        begin_register_wh=begin_energy,
    )


def _value(measurand: str, sampled: Mapping[str, Any], text: str, number: float) -> _Value | None:
    unit = sampled.get("unit")
    scale = _SCALES[measurand].get(unit.strip().lower() if unit else _DEFAULT_UNIT[measurand])
    location = sampled.get("location")
    location_rank = _LOCATION_RANK.get(location.strip().lower() if location else "")
    if scale is None or location_rank is None:
        return None
    phase_text = sampled.get("phase")
    phase = _phase(str(phase_text)) if phase_text else None
    if phase_text and phase is None:
        return None  # neutral or line-to-line: not part of the charger's total
    context = sampled.get("context")
    context_rank = (
        _CONTEXT_RANK.get(context.strip().lower(), _UNKNOWN_CONTEXT_RANK)
        if context
        else _CONTEXT_RANK["sample.periodic"]
    )
    # Decimal only to scale, so "11.040" kW is exactly 11040 W (a float product is not).
    value = number if scale == 1 else float(Decimal(text) * scale)
    return (measurand, context_rank, location_rank, phase, value)


def _phase(text: str) -> str | None:
    # "L1" and "L1-N" (phase to neutral) name phase 1; "N", "L1-L2" and "L2-L3" do not.
    head, _, tail = text.strip().upper().partition("-")
    return head if head in _PHASES and tail in ("", "N") else None


def _number(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _measure(own: Sequence[_Value] | None, measurand: str) -> float | None:
    """One measurand's value from its best context and location: a total, else the phases."""
    if not own:
        return None
    if len(own) == 1:  # the common case: one total (or a single phase: the same value)
        return own[0][4]
    best = min((v[1], v[2]) for v in own)
    own = [v for v in own if (v[1], v[2]) == best]
    totals = [v[4] for v in own if v[3] is None]
    if totals:
        return _pick(measurand, totals)
    per_phase = [
        _pick(measurand, [v[4] for v in own if v[3] == phase])
        for phase in _PHASES
        if any(v[3] == phase for v in own)
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
