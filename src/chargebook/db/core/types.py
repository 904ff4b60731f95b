"""Column types that behave the same on SQLite and PostgreSQL.

SQLite has no time zones and no exact decimals: `UTCDateTime` stores naive UTC there and hands
back UTC-aware datetimes everywhere; `ExactDecimal` keeps precision at most 15 digits, which a
SQLite REAL carries exactly, so a Decimal comes back as it went in on both backends.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Dialect, Numeric
from sqlalchemy.types import TypeDecorator

# A float carries 15 significant decimal digits exactly; more would be rounded on SQLite.
MAX_EXACT_DIGITS = 15


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime, stored in UTC; naive datetimes are refused (ValueError)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: the book stores timezone-aware (UTC) times only")
        utc = value.astimezone(UTC)
        # SQLite's DATETIME text has no offset: store the UTC wall time.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class ExactDecimal(TypeDecorator[Decimal]):
    """A Decimal column with a fixed scale that round-trips exactly on SQLite and PostgreSQL;
    NaN and Infinity are refused (ValueError)."""

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        if precision > MAX_EXACT_DIGITS:
            raise ValueError(f"precision above {MAX_EXACT_DIGITS} is not exact on SQLite")
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self._quantum = Decimal(1).scaleb(-scale)
        self._precision = precision
        self._scale = scale

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "sqlite":
            # Take the float and convert it here, without SQLAlchemy's lossy-Decimal warning.
            return dialect.type_descriptor(
                Numeric(precision=self._precision, scale=self._scale, asdecimal=False)
            )
        return dialect.type_descriptor(self.impl_instance)

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        exact = Decimal(value)
        if not exact.is_finite():  # PostgreSQL's numeric would store NaN; no sum survives it
            raise ValueError(f"not a finite number: {value}")
        return exact.quantize(self._quantum)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        # SQLite hands back a float: its shortest repr is the stored decimal (<= 15 digits).
        return Decimal(str(value)).quantize(self._quantum)
