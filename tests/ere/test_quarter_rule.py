"""Month -> quarter has one rule (`chargebook.ere.periods.quarter_of_month`); every other
module calls it (the credits page, batches, the SAP import and the SQL path once each
computed it themselves)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

import chargebook
from chargebook.domain.ere import DeliveryPeriod, PeriodKind
from chargebook.ere.periods import (
    period_bounds,
    period_of,
    quarter_months,
    quarter_of,
    quarter_of_month,
)

SOURCE = Path(chargebook.__file__).parent
# `(month - 1) // 3`, `(x.month - 1) // 3 + 1`, `(quarter - 1) * 3 + 1` and their spellings.
OWN_RULE = re.compile(r"\(\s*[\w.]*(month|quarter)\s*-\s*1\s*\)\s*(//|\*)\s*3")


def test_quarters_of_the_months_and_back() -> None:
    assert [quarter_of_month(m) for m in range(1, 13)] == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]
    for quarter in range(1, 5):
        assert {quarter_of_month(m) for m in quarter_months(quarter)} == {quarter}
    for bad in (0, 13):
        with pytest.raises(ValueError, match="not a month"):
            quarter_of_month(bad)
    with pytest.raises(ValueError, match="not a quarter"):
        quarter_months(5)


def test_a_moment_belongs_to_its_dutch_quarter() -> None:
    # 31 March 22:30 UTC is 1 April 00:30 in Amsterdam (summer time): the second quarter.
    assert quarter_of(datetime(2026, 3, 31, 22, 30, tzinfo=UTC)) == DeliveryPeriod(2026, 2)
    assert quarter_of(datetime(2026, 3, 31, 21, 30, tzinfo=UTC)) == DeliveryPeriod(2026, 1)
    assert period_of(2026, 12, PeriodKind.QUARTER) == DeliveryPeriod(2026, 4)
    start, end = period_bounds(DeliveryPeriod(2026, 2))
    assert quarter_of(start) == DeliveryPeriod(2026, 2)
    assert quarter_of(end) == DeliveryPeriod(2026, 3)


def test_no_module_computes_quarters_itself() -> None:
    own = [
        f"{path.relative_to(SOURCE)}:{number}"
        for path in sorted(SOURCE.rglob("*.py"))
        if path != SOURCE / "ere" / "periods.py"
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if OWN_RULE.search(line)
    ]
    assert own == []


def test_the_scan_would_find_a_rule_of_its_own() -> None:
    assert OWN_RULE.search("period = DeliveryPeriod(y, (local.month - 1) // 3 + 1)")
    assert OWN_RULE.search("first_month = (period.quarter - 1) * 3 + 1")
