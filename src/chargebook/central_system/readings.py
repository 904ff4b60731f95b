"""Parse OCPP 1.6 `meterValue` lists and timestamps into the book's readings.

Values are strings on the wire; energy is normalised to Wh, power to W, current to A. Phase
values of power and energy are summed (current: the highest phase) only when no
total is given. Unparseable values are
skipped, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from chargebook.domain.ocpp import MeterReading

ENERGY = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"
CURRENT = "Current.Import"
_SCALE = {"wh": 1.0, "kwh": 1000.0, "w": 1.0, "kw": 1000.0, "a": 1.0}


def parse_timestamp(text: str) -> datetime:
    """An OCPP timestamp as a UTC-aware datetime (a naive one is taken as UTC).

    Raises:
        ValueError: not an ISO 8601 timestamp.
    """
    moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_meter_values(meter_value: Sequence[Mapping[str, Any]]) -> list[MeterReading]:
    """One reading per `meterValue` element (snake_case keys, as the `ocpp` library gives)."""
    readings = []
    for element in meter_value:
        try:
            observed_at = parse_timestamp(str(element["timestamp"]))
        except (KeyError, ValueError):
            continue
        totals: dict[str, float] = {}
        phases: dict[str, float] = {}
        extra: dict[str, Any] = {}
        for sampled in element.get("sampled_value", []):
            measurand = sampled.get("measurand", ENERGY)
            unit = str(sampled.get("unit", "")).lower()
            try:
                value = float(sampled["value"]) * _SCALE.get(unit, 1.0)
            except (KeyError, ValueError):
                continue
            phase = sampled.get("phase")
            if measurand in (ENERGY, POWER) or (measurand == CURRENT and not phase):
                target = phases if phase else totals
                target[measurand] = target.get(measurand, 0.0) + value
            elif measurand == CURRENT:  # per-phase currents: the highest phase limits charging
                phases[measurand] = max(phases.get(measurand, 0.0), value)
            else:
                extra[f"{measurand}.{phase}" if phase else measurand] = value
        merged = {**phases, **totals}  # a total beats the sum of its phases
        readings.append(
            MeterReading(
                observed_at=observed_at,
                energy_register_wh=merged.get(ENERGY),
                power_w=merged.get(POWER),
                current_a=merged.get(CURRENT),
                extra=extra,
            )
        )
    return readings
