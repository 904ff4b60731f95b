"""Meter readings of a SAP (or a dedicated connection) and their cross-check with sessions.

CSV format (UTF-8), one register reading per line::

    # optional comment lines start with '#'; blank lines are ignored
    timestamp,register_kwh
    2026-01-01T00:00:00+01:00,10234.512
    2026-04-01T00:00:00+02:00,10987.004

- `timestamp`: ISO 8601 with a UTC offset (`Z` or `+01:00`); naive times are rejected.
- `register_kwh`: the meter's cumulative import register in kWh, a decimal with `.`.
- Timestamps strictly increase; the register never decreases (a replaced meter starts a new
  file).

The quantity over a period is the register at the first reading at or after the period's end
minus the register at the last reading at or before its start, so the readings must reach both
ends; the actually covered interval is reported alongside.
"""

from __future__ import annotations

import bisect
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from chargebook.domain.plausibility import MAX_BOOK_ENERGY_KWH, is_shown
from chargebook.ere.exceptions import MeterReadingsError, SapReconciliationError

HEADER = ("timestamp", "register_kwh")
DEFAULT_TOLERANCE = Decimal("0.02")  # the verifier's 2 % quantitative materiality


@dataclass(frozen=True, slots=True)
class MeterReading:
    at: datetime  # UTC
    register_kwh: Decimal


def parse_meter_readings(text: str) -> list[MeterReading]:
    """Parse the CSV described in the module docstring.

    Returns:
        Readings in time order, timestamps in UTC.

    Raises:
        MeterReadingsError: with the 1-based line number and what is wrong (missing header,
            wrong column count, bad timestamp, naive timestamp, bad number, negative register,
            time not increasing, register decreasing, no readings).
    """
    readings: list[MeterReading] = []
    header_seen = False
    for line_number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        cells = tuple(cell.strip() for cell in row)
        if not header_seen:
            if tuple(c.lower() for c in cells) != HEADER:
                raise MeterReadingsError(
                    line_number,
                    f"expected the header {','.join(HEADER)!r}, got {','.join(cells)!r}",
                )
            header_seen = True
            continue
        if len(cells) != len(HEADER):
            raise MeterReadingsError(line_number, f"expected 2 columns, got {len(cells)}")
        readings.append(_parse_row(line_number, cells, readings[-1] if readings else None))
    if not header_seen:
        raise MeterReadingsError(1, "the file is empty (no header)")
    if not readings:
        raise MeterReadingsError(1, "the file holds no readings")
    return readings


def _parse_row(
    line_number: int, cells: tuple[str, ...], previous: MeterReading | None
) -> MeterReading:
    raw_time, raw_register = cells
    try:
        at = datetime.fromisoformat(raw_time)
    except ValueError:
        raise MeterReadingsError(line_number, f"{raw_time!r} is not an ISO 8601 time") from None
    if at.tzinfo is None:
        raise MeterReadingsError(line_number, f"{raw_time!r} has no UTC offset")
    try:
        register = Decimal(raw_register)
    except InvalidOperation:
        raise MeterReadingsError(line_number, f"{raw_register!r} is not a number") from None
    if not register.is_finite() or register < 0:
        raise MeterReadingsError(line_number, f"register {raw_register!r} must be >= 0")
    if register > MAX_BOOK_ENERGY_KWH:
        raise MeterReadingsError(line_number, f"register {raw_register!r} kWh is out of range")
    try:
        at = at.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 with an offset
        raise MeterReadingsError(line_number, f"{raw_time!r} is out of range") from None
    if not is_shown(at):  # a year-1 file would span 8,000 quarters to reconcile
        raise MeterReadingsError(line_number, f"{raw_time!r} is not a plausible meter time")
    if previous is not None:
        if at <= previous.at:
            raise MeterReadingsError(line_number, "timestamps must strictly increase")
        if register < previous.register_kwh:
            raise MeterReadingsError(
                line_number,
                f"register went down from {previous.register_kwh} to {register} kWh",
            )
    return MeterReading(at, register)


@dataclass(frozen=True, slots=True)
class MeterQuantity:
    """Energy measured between two readings that enclose the requested period."""

    energy_kwh: Decimal
    covered_from: datetime
    covered_until: datetime


def meter_quantity(
    readings: Sequence[MeterReading], start: datetime, end: datetime
) -> MeterQuantity:
    """Energy in kWh the meter registered over [start, end) (UTC-aware).

    Raises:
        SapReconciliationError: no reading at or before `start`, or none at or after `end`.
    """
    times = [r.at for r in readings]
    first = bisect.bisect_right(times, start) - 1
    last = bisect.bisect_left(times, end)
    if first < 0:
        raise SapReconciliationError(f"no meter reading at or before {start.isoformat()}")
    if last >= len(readings):
        raise SapReconciliationError(f"no meter reading at or after {end.isoformat()}")
    begin, finish = readings[first], readings[last]
    return MeterQuantity(finish.register_kwh - begin.register_kwh, begin.at, finish.at)


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """Meter figure against the charger's sessions; `flagged` when they differ too much."""

    meter_energy_kwh: Decimal
    sessions_energy_kwh: Decimal
    difference_kwh: Decimal
    difference_ratio: Decimal | None  # |meter - sessions| / meter; None when the meter is 0
    tolerance: Decimal
    flagged: bool


def reconcile(
    meter_energy_kwh: Decimal,
    sessions_energy_kwh: Decimal,
    tolerance: Decimal = DEFAULT_TOLERANCE,
) -> Reconciliation:
    """Compare the meter's kWh with the sessions' kWh; flag a difference above `tolerance`
    (a fraction of the meter figure; default 2 %). A zero meter figure with any session energy
    is flagged."""
    difference = meter_energy_kwh - sessions_energy_kwh
    if meter_energy_kwh == 0:
        return Reconciliation(
            meter_energy_kwh, sessions_energy_kwh, difference, None, tolerance, difference != 0
        )
    ratio = abs(difference) / meter_energy_kwh
    return Reconciliation(
        meter_energy_kwh, sessions_energy_kwh, difference, ratio, tolerance, ratio > tolerance
    )
