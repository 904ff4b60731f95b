"""Exact SQL durations on both dialects, for queries that sum or compare session lengths."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, ColumnElement, cast, extract, func

MICRO = 1_000_000


def duration_us(dialect: str, start: Any, end: Any) -> ColumnElement[Any]:
    """end - start in whole microseconds, exactly (`dialect`: "postgresql" or "sqlite")."""
    if dialect == "postgresql":
        return cast(extract("epoch", end - start) * MICRO, BigInteger)
    # SQLite: naive UTC text 'YYYY-MM-DD HH:MM:SS.ffffff' (core.types); seconds + microseconds.
    # Whole seconds of the text without its fraction: SQLite's date functions keep
    # milliseconds and would round .999999 up into the next second. The julian days of two
    # whole-second times differ by a whole number of seconds; as doubles each is within
    # 1e-4 s, so rounding the difference is exact, and about twice as fast as two
    # strftime('%s') texts cast back to integers.
    days = func.julianday(func.substr(end, 1, 19)) - func.julianday(func.substr(start, 1, 19))
    seconds = cast(func.round(days * 86_400), BigInteger)
    micros = cast(func.substr(end, 21, 6), BigInteger) - cast(func.substr(start, 21, 6), BigInteger)
    return seconds * MICRO + micros
