"""Versioned ERE parameters keyed by delivery year, read from `parameters.json` in the package.

Never hard-code a renewable share: each delivery year has its own, with a cited source, and a
year can be marked as an estimate; results computed from an estimate say so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any

from chargebook.ere.exceptions import ParametersError

GRAMS_PER_KG = Decimal(1000)
_FIELDS = ("renewable_share", "fossil_comparator_g_per_mj", "mj_per_kwh")


@dataclass(frozen=True, slots=True)
class ParameterValue:
    value: Decimal
    estimate: bool
    source: str


@dataclass(frozen=True, slots=True)
class YearParameters:
    """The factors for one delivery year."""

    year: int
    renewable_share: ParameterValue
    fossil_comparator_g_per_mj: ParameterValue
    mj_per_kwh: ParameterValue

    @property
    def is_estimate(self) -> bool:
        """True when any factor of this year is an estimate."""
        return any(
            v.estimate
            for v in (self.renewable_share, self.fossil_comparator_g_per_mj, self.mj_per_kwh)
        )

    @property
    def ere_per_kwh(self) -> Decimal:
        """EREs (kg CO2-eq) per kWh, exact: share x g/MJ x MJ/kWh / 1000 g/kg."""
        return (
            self.renewable_share.value
            * self.fossil_comparator_g_per_mj.value
            * self.mj_per_kwh.value
            / GRAMS_PER_KG
        )


@dataclass(frozen=True, slots=True)
class ParameterSet:
    """All years of one version of the parameter file."""

    version: str
    years: dict[int, YearParameters]

    def for_year(self, year: int) -> YearParameters:
        """The parameters of delivery year `year`.

        Raises:
            ParametersError: the file (version named in the message) has no entry for `year`.
        """
        try:
            return self.years[year]
        except KeyError:
            known = ", ".join(str(y) for y in sorted(self.years)) or "none"
            raise ParametersError(
                f"no ERE parameters for delivery year {year} in parameter version "
                f"{self.version} (years available: {known})"
            ) from None


def _parse_value(raw: Any, where: str) -> ParameterValue:
    if not isinstance(raw, dict) or "value" not in raw or "source" not in raw:
        raise ParametersError(f"{where}: expected an object with 'value' and 'source'")
    try:
        value = Decimal(str(raw["value"]))
    except InvalidOperation:
        raise ParametersError(f"{where}: {raw['value']!r} is not a decimal number") from None
    if not value.is_finite() or value <= 0:
        raise ParametersError(f"{where}: must be a positive number, got {value}")
    source = str(raw["source"]).strip()
    if not source:
        raise ParametersError(f"{where}: every value needs a cited source")
    return ParameterValue(value, bool(raw.get("estimate", False)), source)


def parse_parameters(text: str) -> ParameterSet:
    """Parse the JSON text of a parameter file.

    Raises:
        ParametersError: malformed JSON, a missing field, a non-positive value, a share above
            1, or a value without a source.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParametersError(f"parameter file is not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("years"), dict):
        raise ParametersError("parameter file needs an object with 'version' and 'years'")
    version = str(data.get("version", "")).strip()
    if not version:
        raise ParametersError("parameter file needs a 'version' string")
    years: dict[int, YearParameters] = {}
    for key, raw_year in data["years"].items():
        if not str(key).isdigit() or not isinstance(raw_year, dict):
            raise ParametersError(f"year {key!r}: expected a four-digit year with an object")
        year = int(key)
        missing = [name for name in _FIELDS if name not in raw_year]
        if missing:
            raise ParametersError(f"year {year}: missing {', '.join(missing)}")
        values = [_parse_value(raw_year[name], f"year {year} {name}") for name in _FIELDS]
        if values[0].value > 1:
            raise ParametersError(f"year {year}: renewable_share above 1")
        years[year] = YearParameters(year, *values)
    return ParameterSet(version, years)


def load_parameters() -> ParameterSet:
    """Load the parameter file shipped in this package.

    Raises:
        ParametersError: the shipped file is malformed (a packaging bug).
    """
    text = resources.files("chargebook.ere").joinpath("parameters.json").read_text("utf-8")
    return parse_parameters(text)
