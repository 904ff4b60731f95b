"""Delivery years, quarters and months in Dutch local time, and when a delivery year closes.

Deliveries of year Y may be booked until 1 March of Y+1 (reference ere-rules.md §5.1); the NEa
works operationally to the last working day before (for 2026: 2027-02-26), which an operator can
set per year in `deadline_overrides`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from chargebook.domain.ere import DeliveryPeriod, PeriodKind

DUTCH_ZONE = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True, slots=True)
class BookingPolicy:
    """When a delivery year stops accepting bookings, and which zone defines the calendar.

    A session is delivered in the local year of its end (`ended_at`, exclusive): the reference
    names no rule for sessions that cross 1 January, so the whole session goes to the year in
    which it ended.
    """

    deadline_month: int = 3
    deadline_day: int = 1
    zone: ZoneInfo = DUTCH_ZONE
    deadline_overrides: Mapping[int, date] = field(default_factory=dict)

    def deadline(self, delivery_year: int) -> date:
        """The first local date on which `delivery_year` can no longer be booked."""
        override = self.deadline_overrides.get(delivery_year)
        if override is not None:
            return override
        return date(delivery_year + 1, self.deadline_month, self.deadline_day)

    def closes_at(self, delivery_year: int) -> datetime:
        """The UTC moment bookings for `delivery_year` close (local midnight of the deadline)."""
        local = datetime.combine(self.deadline(delivery_year), time(0), tzinfo=self.zone)
        return local.astimezone(UTC)

    def is_open(self, delivery_year: int, now: datetime) -> bool:
        """Whether `delivery_year` can still be booked at `now` (UTC-aware)."""
        return now < self.closes_at(delivery_year)

    def local_year_month(self, moment: datetime) -> tuple[int, int]:
        """Local (year, month) of a UTC-aware moment."""
        local = moment.astimezone(self.zone)
        return local.year, local.month


def quarter_of_month(month: int) -> int:
    """The quarter (1-4) a calendar month (1-12) falls in: the one month -> quarter rule.

    Raises:
        ValueError: not a month.
    """
    if not 1 <= month <= 12:
        raise ValueError(f"not a month: {month}")
    return (month - 1) // 3 + 1


def quarter_months(quarter: int) -> range:
    """The calendar months (1-12) of a quarter (1-4), the inverse of `quarter_of_month`."""
    if not 1 <= quarter <= 4:
        raise ValueError(f"not a quarter: {quarter}")
    first = (quarter - 1) * 3 + 1
    return range(first, first + 3)


def period_of(year: int, month: int, kind: PeriodKind) -> DeliveryPeriod:
    """The delivery period (year or quarter) that local `year`-`month` falls in."""
    if kind is PeriodKind.YEAR:
        return DeliveryPeriod(year)
    return DeliveryPeriod(year, quarter_of_month(month))


def quarter_of(moment: datetime, zone: ZoneInfo = DUTCH_ZONE) -> DeliveryPeriod:
    """The quarter (local time) a UTC-aware moment falls in."""
    local = moment.astimezone(zone)
    return period_of(local.year, local.month, PeriodKind.QUARTER)


def period_bounds(period: DeliveryPeriod, zone: ZoneInfo = DUTCH_ZONE) -> tuple[datetime, datetime]:
    """The half-open UTC interval [start, end) of a delivery period in local time."""
    if period.quarter is None:
        start = date(period.year, 1, 1)
        end = date(period.year + 1, 1, 1)
    else:
        months = quarter_months(period.quarter)
        start = date(period.year, months[0], 1)
        end = (
            date(period.year + 1, 1, 1)
            if period.quarter == 4
            else date(period.year, months[-1] + 1, 1)
        )
    return (
        datetime.combine(start, time(0), tzinfo=zone).astimezone(UTC),
        datetime.combine(end, time(0), tzinfo=zone).astimezone(UTC),
    )
