"""How a quantity is written, the same on every door (issue 18: one name and one unit per
quantity): durations in hours and minutes, energy in kWh with two decimals, money in euros
with two decimals, prices per kWh with four, times of day on a 24-hour clock.

The web's Jinja filters (`web/filters.py`) and the CLI's tables call these; nothing else
formats these quantities.
"""

from __future__ import annotations

from decimal import Decimal

UNKNOWN = "—"
# Local date and time, 24-hour: what tables show (the zone is named in their header/caption).
DATE_TIME = "%Y-%m-%d %H:%M"


def duration_text(seconds: int | float | None) -> str:
    """Whole minutes as "2 h 05 min" / "45 min" ("—" when unknown)."""
    if seconds is None:
        return UNKNOWN
    minutes = round(float(seconds) / 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def kwh_number(value: Decimal | float | None, digits: int = 2) -> str:
    """Energy in kWh with thousands separators and fixed decimals, no unit ("—": unknown)."""
    if value is None:
        return UNKNOWN
    return f"{float(value):,.{digits}f}"


def kwh_text(value: Decimal | float | None) -> str:
    """Energy with its unit: "12.35 kWh"."""
    return UNKNOWN if value is None else f"{kwh_number(value)} kWh"


def eur_text(value: Decimal | float | None) -> str:
    """Money as "€ 1,234.56" (cents; "—" when unknown)."""
    if value is None:
        return UNKNOWN
    return f"€ {Decimal(value):,.2f}"


def eur_per_kwh_text(value: Decimal | float | None) -> str:
    """A price per kWh: four decimals, as suppliers quote them ("0.2512"; no unit)."""
    if value is None:
        return UNKNOWN
    return f"{Decimal(value):.4f}"


def price_per_kwh_text(value: Decimal) -> str:
    """A tariff's price as people write it: "€0.28/kWh", with more decimals only where the
    cents do not say it all ("€0.0916/kWh"); negative as "-€0.05/kWh"."""
    cents = value.quantize(Decimal("0.01"))
    digits = f"{abs(value):.2f}" if value == cents else f"{abs(value).normalize():f}"
    return f"{'-' if value < 0 else ''}€{digits}/kWh"
