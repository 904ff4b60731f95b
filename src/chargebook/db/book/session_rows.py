"""The bulk INSERT of new charging sessions, with values converted once in plain Python.

SQLAlchemy's typed executemany costs more per row than SQLite's own insert: every value
passes through a `TypeDecorator` and the dialect's processor (four datetimes and four
decimals per session), and every row through `construct_params`. Here each row is built
as a tuple of driver-ready values that are EXACTLY what `UTCDateTime` / `ExactDecimal` and
the dialect would bind (SQLite: naive-UTC DATETIME text and floats; PostgreSQL: aware UTC
datetimes and quantized Decimals), and the statement goes to the driver's executemany.
`tests/db/test_session_rows.py` proves both paths store the same rows on both backends.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from chargebook.db.book.tables import ChargingSessionRow
from chargebook.db.core.canonical import canonical_json
from chargebook.db.core.types import ExactDecimal
from chargebook.domain.book import SessionEntry

# The columns in the order of every row tuple (`id` is the database's).
SESSION_COLUMNS = (
    "charger_id",
    "source",
    "external_id",
    "started_at",
    "ended_at",
    "energy_kwh",
    "mid_energy_kwh",
    "discharged_energy_kwh",
    "meter_start_wh",
    "meter_stop_wh",
    "cost",
    "currency",
    "raw_payload",
    "raw_sha256",
    "state",
    "quarantine_reason",
    "first_seen_at",
    "last_seen_at",
)


def _quantum(column: str) -> Decimal:
    column_type = ChargingSessionRow.__table__.c[column].type
    assert isinstance(column_type, ExactDecimal)
    return Decimal(1).scaleb(-column_type.scale)


ENERGY_QUANTUM = _quantum("energy_kwh")
MONEY_QUANTUM = _quantum("cost")


def sqlite_datetime(value: datetime | None) -> str | None:
    """`UTCDateTime` + SQLite's DATETIME processor: naive UTC 'YYYY-MM-DD HH:MM:SS.ffffff'.

    Raises:
        ValueError: a naive datetime (the book stores aware times only).
    """
    if value is None:
        return None
    zone = value.tzinfo
    if zone is UTC:  # the common case: cut the "+00:00" instead of converting
        return value.isoformat(" ", "microseconds")[:26]
    if zone is None:
        raise ValueError("naive datetime: the book stores timezone-aware (UTC) times only")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def aware_utc(value: datetime | None) -> datetime | None:
    """`UTCDateTime` on PostgreSQL: the same instant as an aware UTC datetime.

    Raises:
        ValueError: a naive datetime.
    """
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime: the book stores timezone-aware (UTC) times only")
    return value.astimezone(UTC)


def _decimal_binder(quantum: Decimal, as_float: bool) -> Callable[[Any], Any]:
    """`ExactDecimal` as bound: quantized (half-even), and a float on SQLite (no decimals);
    NaN and Infinity are refused (ValueError)."""

    def bind(value: Any) -> Any:
        if value is None:
            return None
        exact = value if type(value) is Decimal else Decimal(value)
        if not exact.is_finite():  # as `ExactDecimal` refuses it
            raise ValueError(f"not a finite number: {value}")
        exact = exact.quantize(quantum)
        return float(exact) if as_float else exact

    return bind


class SessionRowFormat:
    """Driver-ready conversions and the INSERT text for one dialect ('sqlite'/'postgresql')."""

    def __init__(self, dialect_name: str) -> None:
        sqlite = dialect_name == "sqlite"
        self.datetime: Callable[[datetime | None], Any] = sqlite_datetime if sqlite else aware_utc
        self.energy = _decimal_binder(ENERGY_QUANTUM, sqlite)
        self.money = _decimal_binder(MONEY_QUANTUM, sqlite)
        placeholder = "?" if sqlite else "%s"
        table, columns = ChargingSessionRow.__tablename__, ", ".join(SESSION_COLUMNS)
        values = ", ".join([placeholder] * len(SESSION_COLUMNS))
        # Constant table and column names only: nothing here comes from input.
        self.insert_sql = (
            f"INSERT INTO {table} ({columns}) VALUES ({values}) "  # noqa: S608
            "ON CONFLICT (source, external_id) DO NOTHING"
        )

    def row(self, entry: SessionEntry, charger_id: int, at: Any) -> tuple[Any, ...]:
        """One new session in `SESSION_COLUMNS` order; `at` (first and last seen) is a time
        already converted by `self.datetime`."""
        raw_json = entry.raw_json or canonical_json(entry.raw)
        parsed = entry.session
        if parsed is None:
            return (
                charger_id, entry.source.value, entry.external_id,
                None, None, None, None, None, None, None, None, None,
                raw_json, entry.raw_sha256, entry.state.value, entry.reason, at, at,
            )  # fmt: skip
        energy, currency = self.energy, parsed.currency
        return (
            charger_id,
            entry.source.value,
            entry.external_id,
            self.datetime(parsed.started_at),
            self.datetime(parsed.ended_at),
            energy(parsed.energy_kwh),
            energy(parsed.mid_energy_kwh),
            energy(parsed.discharged_energy_kwh),
            parsed.meter_start_wh,
            parsed.meter_stop_wh,
            self.money(parsed.cost),
            # ISO 4217 codes only; a symbol such as "€" stays in the raw payload.
            currency if currency and len(currency) == 3 else None,
            raw_json,
            entry.raw_sha256,
            entry.state.value,
            entry.reason,
            at,
            at,
        )


def insert_session_rows(
    session: Session, form: SessionRowFormat, rows: Sequence[tuple[Any, ...]]
) -> None:
    """INSERT .. ON CONFLICT (source, external_id) DO NOTHING of `rows` (in `SESSION_COLUMNS`
    order, converted by `form` of the session's dialect) as one driver executemany."""
    if rows:
        session.connection().exec_driver_sql(form.insert_sql, list(rows))
