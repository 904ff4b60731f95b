from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from chargebook.ere import (
    MeterReadingsError,
    SapReconciliationError,
    meter_quantity,
    parse_meter_readings,
    reconcile,
)

GOOD = """# SAP meter 1SAG0001, exported by the grid operator
timestamp,register_kwh
2025-12-31T23:00:00Z,1000.000

2026-02-01T00:00:00+01:00,1100.5
2026-04-01T00:00:00+02:00,1300.250
"""


def test_parse_good_file() -> None:
    readings = parse_meter_readings(GOOD)
    assert [r.register_kwh for r in readings] == [
        Decimal("1000.000"),
        Decimal("1100.5"),
        Decimal("1300.250"),
    ]
    assert readings[2].at == datetime(2026, 3, 31, 22, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        pytest.param("", 1, "empty", id="empty"),
        pytest.param("timestamp,register_kwh\n", 1, "no readings", id="header-only"),
        pytest.param("time,kwh\n", 1, "expected the header", id="wrong-header"),
        pytest.param(
            "timestamp,register_kwh\n2026-01-01T00:00:00Z\n", 2, "2 columns", id="one-column"
        ),
        pytest.param("timestamp,register_kwh\nyesterday,1\n", 2, "ISO 8601", id="bad-time"),
        pytest.param(
            "timestamp,register_kwh\n2026-01-01T00:00:00,1\n", 2, "UTC offset", id="naive"
        ),
        pytest.param(
            "timestamp,register_kwh\n2026-01-01T00:00:00Z,1,5\n", 2, "2 columns", id="comma-decimal"
        ),
        pytest.param(
            "timestamp,register_kwh\n2026-01-01T00:00:00Z,abc\n", 2, "not a number", id="bad-number"
        ),
        pytest.param("timestamp,register_kwh\n2026-01-01T00:00:00Z,-1\n", 2, ">= 0", id="negative"),
        pytest.param("timestamp,register_kwh\n2026-01-01T00:00:00Z,NaN\n", 2, ">= 0", id="nan"),
        pytest.param(
            "timestamp,register_kwh\n2026-01-01T00:00:00Z,1e12\n", 2, "range", id="too-big"
        ),
        pytest.param(
            "timestamp,register_kwh\n0001-01-01T00:00:00+01:00,1\n", 2, "range", id="year-0"
        ),
        pytest.param(
            "timestamp,register_kwh\n0001-01-01T00:00:00Z,1\n", 2, "plausible", id="year-1"
        ),
        pytest.param(
            "timestamp,register_kwh\n9999-12-31T23:00:00Z,1\n", 2, "plausible", id="year-9999"
        ),
        pytest.param(
            "timestamp,register_kwh\n2026-01-02T00:00:00Z,1\n2026-01-01T00:00:00Z,2\n",
            3,
            "strictly increase",
            id="time-backwards",
        ),
        pytest.param(
            "# c\ntimestamp,register_kwh\n2026-01-01T00:00:00Z,5\n2026-01-02T00:00:00Z,4\n",
            4,
            "went down",
            id="register-decreases",
        ),
    ],
)
def test_parse_errors_name_the_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(MeterReadingsError, match=fragment) as info:
        parse_meter_readings(text)
    assert info.value.line_number == line
    assert f"line {line}" in info.value.message


def test_meter_quantity_over_a_quarter() -> None:
    readings = parse_meter_readings(GOOD)
    start = datetime(2025, 12, 31, 23, tzinfo=UTC)
    end = datetime(2026, 3, 31, 22, tzinfo=UTC)
    quantity = meter_quantity(readings, start, end)
    assert quantity.energy_kwh == Decimal("300.250")
    assert (quantity.covered_from, quantity.covered_until) == (start, end)
    inner = meter_quantity(readings, datetime(2026, 1, 15, tzinfo=UTC), end)
    assert inner.energy_kwh == Decimal("300.250")  # widened to the enclosing readings
    assert inner.covered_from == start


@pytest.mark.parametrize(
    ("start", "end", "fragment"),
    [
        pytest.param(
            datetime(2025, 6, 1, tzinfo=UTC),
            datetime(2026, 1, 1, tzinfo=UTC),
            "before",
            id="too-early",
        ),
        pytest.param(
            datetime(2026, 1, 1, tzinfo=UTC),
            datetime(2026, 6, 1, tzinfo=UTC),
            "after",
            id="too-late",
        ),
    ],
)
def test_meter_quantity_needs_readings_at_both_ends(
    start: datetime, end: datetime, fragment: str
) -> None:
    with pytest.raises(SapReconciliationError, match=fragment):
        meter_quantity(parse_meter_readings(GOOD), start, end)


@pytest.mark.parametrize(
    ("meter", "sessions", "tolerance", "flagged"),
    [
        pytest.param("100", "98", "0.02", False, id="exactly-2-percent"),
        pytest.param("100", "97.9", "0.02", True, id="above-2-percent"),
        pytest.param("100", "102.01", "0.02", True, id="sessions-above-meter"),
        pytest.param("100", "95", "0.05", False, id="custom-tolerance"),
        pytest.param("0", "0", "0.02", False, id="both-zero"),
        pytest.param("0", "1", "0.02", True, id="meter-zero"),
    ],
)
def test_reconcile(meter: str, sessions: str, tolerance: str, flagged: bool) -> None:
    result = reconcile(Decimal(meter), Decimal(sessions), Decimal(tolerance))
    assert result.flagged is flagged
    assert result.difference_kwh == Decimal(meter) - Decimal(sessions)
