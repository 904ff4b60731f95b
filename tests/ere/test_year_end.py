"""The year-end calendar of a booking year (ere-rules.md §5) and the 2 % materiality rule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from chargebook.ere.materiality import check_figure
from chargebook.ere.periods import BookingPolicy
from chargebook.ere.retention import kept_until
from chargebook.ere.year_end import DeadlineStatus, last_working_day_before, year_end_calendar


def test_the_2026_dates() -> None:
    calendar = year_end_calendar(2026, date(2026, 6, 1))
    booking, verification, submission = calendar.deadlines
    assert (booking.key, booking.before, booking.last_day) == (
        "booking",
        date(2027, 3, 1),
        date(2027, 2, 26),  # Monday 1 March: Friday before
    )
    assert (verification.before, verification.last_day) == (date(2027, 4, 1), date(2027, 3, 31))
    assert (submission.before, submission.last_day) == (date(2027, 5, 1), date(2027, 4, 30))


@pytest.mark.parametrize(
    ("today", "statuses", "booking_days_left"),
    [
        (date(2026, 12, 31), ("not_yet", "not_yet", "not_yet"), 57),
        (date(2027, 1, 1), ("open", "open", "open"), 56),
        (date(2027, 1, 26), ("open", "open", "open"), 31),
        (date(2027, 1, 27), ("due_soon", "open", "open"), 30),
        (date(2027, 2, 26), ("due_soon", "open", "open"), 0),
        (date(2027, 3, 1), ("passed", "due_soon", "open"), -3),
        (date(2027, 3, 31), ("passed", "due_soon", "due_soon"), -33),
        (date(2027, 4, 1), ("passed", "passed", "due_soon"), -34),
        (date(2027, 5, 1), ("passed", "passed", "passed"), -64),
    ],
)
def test_where_each_deadline_stands(
    today: date, statuses: tuple[str, str, str], booking_days_left: int
) -> None:
    calendar = year_end_calendar(2026, today)
    assert tuple(d.status.value for d in calendar.deadlines) == statuses
    assert calendar.deadlines[0].days_left == booking_days_left
    expected_next = next((d for d in calendar.deadlines if d.status.value != "passed"), None)
    assert calendar.next_due == expected_next


def test_the_booking_deadline_follows_the_eligibility_policy() -> None:
    policy = BookingPolicy(deadline_overrides={2026: date(2027, 2, 15)})
    booking = year_end_calendar(2026, date(2027, 2, 12), policy).deadlines[0]
    assert (booking.before, booking.last_day) == (date(2027, 2, 15), date(2027, 2, 12))
    assert booking.status is DeadlineStatus.DUE_SOON


def test_last_working_day() -> None:
    assert last_working_day_before(date(2028, 3, 1)) == date(2028, 2, 29)  # Wednesday: Tuesday
    assert last_working_day_before(date(2026, 3, 2)) == date(2026, 2, 27)  # Monday: Friday


@pytest.mark.parametrize(
    ("booked", "blocking", "percent"),
    [("101.9", False, "1.90 %"), ("102.1", True, "2.10 %"), ("97.9", True, "2.10 %"),
     ("102.0", False, "2.00 %")],
)  # fmt: skip
def test_materiality_is_two_percent_of_the_reference(
    booked: str, blocking: bool, percent: str
) -> None:
    check = check_figure(
        batch_id=1, line_id=2, ean=None, what="x",
        booked_kwh=Decimal(booked), reference_kwh=Decimal("100"),
    )  # fmt: skip
    assert (check.blocking, check.deviation_percent) == (blocking, percent)


def test_evidence_is_kept_five_years_after_the_verification_year() -> None:
    assert kept_until(2026) == date(2033, 1, 1)
