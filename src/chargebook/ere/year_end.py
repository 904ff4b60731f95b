"""The operator's year-end calendar for one booking (delivery) year (ere-rules.md §5).

- Booking: deliveries of year Y can be booked until 1 March Y+1 (`BookingPolicy.deadline`,
  the same date the eligibility rule `delivery_year_closed` uses); the NEa works to the last
  working day before it (for 2026 deliveries: Friday 2027-02-26), so that day is the target.
- Verifier: the inboekverificatieverklaring must be in hand before 1 April Y+1 (REV year-end).
- Submission: the statement submitted and the verifier's result registered in REV before
  1 May Y+1.

Pure: no clock; "today" is an argument (a local Dutch date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from chargebook.ere.periods import BookingPolicy

DUE_SOON_DAYS = 30  # a deadline this close (or closer) is shown as due soon


class DeadlineStatus(StrEnum):
    """Where a deadline stands on "today"."""

    NOT_YET = "not_yet"  # the booking year is still running: nothing can be finished yet
    OPEN = "open"  # reachable, more than DUE_SOON_DAYS left
    DUE_SOON = "due_soon"  # DUE_SOON_DAYS or fewer days left (including the last day itself)
    PASSED = "passed"  # the last day is behind us


@dataclass(frozen=True, slots=True)
class Deadline:
    """One step of the year-end: done on or before `last_day`, legally before `before`."""

    key: str  # "booking", "verification", "submission"
    title: str
    before: date  # the legal "before" date (exclusive)
    last_day: date  # the day the operator works to (inclusive)
    rule: str  # the rule in words, with its source
    status: DeadlineStatus
    days_left: int  # from today to last_day (negative once passed)


@dataclass(frozen=True, slots=True)
class YearEndCalendar:
    booking_year: int
    today: date
    deadlines: tuple[Deadline, ...]

    @property
    def next_due(self) -> Deadline | None:
        """The first deadline not passed yet (None once all are)."""
        return next((d for d in self.deadlines if d.status is not DeadlineStatus.PASSED), None)


def last_working_day_before(day: date) -> date:
    """The last Monday-Friday strictly before `day` (public holidays are not modelled)."""
    candidate = day - timedelta(days=1)
    while candidate.weekday() >= 5:
        candidate -= timedelta(days=1)
    return candidate


def _status(booking_year: int, today: date, last_day: date) -> DeadlineStatus:
    if today > last_day:
        return DeadlineStatus.PASSED
    if today.year <= booking_year:
        return DeadlineStatus.NOT_YET
    if (last_day - today).days <= DUE_SOON_DAYS:
        return DeadlineStatus.DUE_SOON
    return DeadlineStatus.OPEN


def year_end_calendar(
    booking_year: int, today: date, policy: BookingPolicy | None = None
) -> YearEndCalendar:
    """The three deadlines of `booking_year` and where each stands on `today`."""
    policy = policy or BookingPolicy()
    booking_before = policy.deadline(booking_year)
    steps = (
        (
            "booking",
            "Book the year's sessions in REV",
            booking_before,
            last_working_day_before(booking_before),
            f"deliveries of {booking_year} can be booked until {booking_before.isoformat()}; "
            "the NEa works to the last working day before it (ere-rules §5.1)",
        ),
        (
            "verification",
            "Verifier's statement (inboekverificatieverklaring) in hand",
            date(booking_year + 1, 4, 1),
            date(booking_year + 1, 3, 31),
            f"the verifier's statement before 1 April {booking_year + 1}, REV year-end "
            "(ere-rules §5.2)",
        ),
        (
            "submission",
            "Statement submitted and verifier's result registered in REV",
            date(booking_year + 1, 5, 1),
            date(booking_year + 1, 4, 30),
            f"submitted and registered before 1 May {booking_year + 1} (ere-rules §5.2)",
        ),
    )
    deadlines = tuple(
        Deadline(
            key=key,
            title=title,
            before=before,
            last_day=last_day,
            rule=rule,
            status=_status(booking_year, today, last_day),
            days_left=(last_day - today).days,
        )
        for key, title, before, last_day, rule in steps
    )
    return YearEndCalendar(booking_year, today, deadlines)
