"""The shared request parameters: any text or moment is either accepted within the bounds or
refused with InvalidInputError, never another exception (which would be a 500)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chargebook.web.errors import InvalidInputError
from chargebook.web.params import (
    EARLIEST_DAY,
    LATEST_DAY,
    MAX_ROW_ID,
    check_moment,
    parse_day,
    parse_row_id,
)

FAST = settings(max_examples=300, derandomize=True, database=None)
_offsets = st.integers(-1439, 1439).map(lambda m: timezone(timedelta(minutes=m)))


@FAST
@given(st.one_of(st.text(max_size=25), st.integers().map(str)))
def test_row_ids_are_plain_digits_in_range(text: str) -> None:
    try:
        value = parse_row_id(text, "charger")
    except InvalidInputError:
        return
    assert value is None or 1 <= value <= MAX_ROW_ID


@FAST
@given(st.one_of(st.text(max_size=12), st.dates().map(lambda d: d.isoformat())))
def test_days_are_in_the_window(text: str) -> None:
    try:
        day = parse_day(text, "start")
    except InvalidInputError:
        return
    assert day is None or EARLIEST_DAY <= day <= LATEST_DAY


@FAST
@given(st.datetimes(timezones=_offsets))
def test_moments_are_utc_in_the_window_or_refused(moment: datetime) -> None:
    try:
        checked = check_moment(moment, "start")
    except InvalidInputError:
        return
    assert checked is not None
    assert checked.tzinfo is UTC
    assert checked == moment


@pytest.mark.parametrize("text", ["²", "١٢", "𝟙", "+1", " 1", "0", str(MAX_ROW_ID + 1), "9" * 20])
def test_ids_that_int_or_isdigit_would_take_are_refused(text: str) -> None:
    with pytest.raises(InvalidInputError, match="unknown id"):
        parse_row_id(text, "charger")


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="time zone"):
        check_moment(datetime(2026, 1, 1), "start")
