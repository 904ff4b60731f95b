"""Fast paths for ERE runs over millions of sessions: a streaming read and a bulk write.

Both go to the driver directly (still inside the caller's SQLAlchemy transaction): the ORM's
per-value type processing would cost more than the eligibility rules themselves. Memory stays
flat: PostgreSQL reads through a server-side (named) cursor, SQLite steps its cursor, and rows
are handed out one by one.

Times on SQLite are stored as naive UTC text `YYYY-MM-DD HH:MM:SS.ffffff` (see `db.types`), so
bounds are bound in that format and compared as text, which orders like the times.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, cast, func
from sqlalchemy.orm import Session

from chargebook.domain.models import ChargerSource, ChargingSession

FETCH_ROWS = 5_000
_ZERO = Decimal(0)
_SOURCES = {source.value: source for source in ChargerSource}

_SELECT = """
SELECT cs.id, cs.charger_id, cs.source, cs.started_at, cs.ended_at, cs.energy_kwh,
       cs.mid_energy_kwh, cs.discharged_energy_kwh, cs.meter_start_wh, cs.meter_stop_wh,
       cs.raw_sha256, bs.session_id IS NOT NULL
FROM charging_sessions cs
JOIN ere_charger_links link ON link.charger_id = cs.charger_id
LEFT JOIN ere_batch_sessions bs ON bs.session_id = cs.id
WHERE cs.state = 'ok' AND cs.ended_at >= {p} AND cs.ended_at < {p}{charger}
ORDER BY cs.charger_id, cs.started_at, cs.id
"""
_LINKED = "SELECT charger_id FROM ere_charger_links ORDER BY charger_id"
_INSERT = (
    "INSERT INTO ere_batch_sessions (session_id, batch_id, line_id, energy_kwh, raw_sha256) "
    "VALUES ({p}, {p}, {p}, {p}, {p})"
)


class EreSessionRow(NamedTuple):
    """A session of a linked charger as the ERE rules see it.

    `session.external_id` is the book id and `session.charger_external_id` the charger's book
    id, both as strings: unique across sources, which external ids are not.
    """

    session: ChargingSession
    registered: bool
    raw_sha256: str


def _sqlite_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def stream_linked_sessions(
    session: Session, *, ended_from: datetime, ended_until: datetime
) -> Iterator[EreSessionRow]:
    """Ok sessions of chargers linked to a connection, ending in [ended_from, ended_until),
    ordered by charger and start (what `chargebook.ere.evaluate_sessions` needs).

    The caller must exhaust or close the iterator before using `session` for anything else.
    """
    connection = session.connection()
    driver: Any = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        # One query through a server-side cursor: the server sorts (spilling to disk if it
        # must), this process holds one fetch of rows.
        cursor = driver.cursor(name=f"ere_{secrets.token_hex(4)}")
        cursor.itersize = FETCH_ROWS
        # Batch creation inserts into ere_batch_sessions while this cursor is open. Planned
        # on an (almost) empty table, the join would scan it per row: quadratic as it fills.
        # Planning without sequential scans keeps both sides on their indexes (and the
        # (charger_id, started_at) index gives the order without a sort of every session).
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        try:
            cursor.execute(_SELECT.format(p="%s", charger=""), (ended_from, ended_until))
        finally:
            connection.exec_driver_sql("SET LOCAL enable_seqscan = on")
        yield from _rows(cursor, _pg_time, _pg_decimal)
        return
    # SQLite: one query per linked charger, so that its (charger_id, started_at) index gives
    # the order; a single ORDER BY over every session would build a temporary B-tree of all.
    bounds = (_sqlite_time(ended_from), _sqlite_time(ended_until))
    listing = driver.cursor()
    try:
        linked = [row[0] for row in listing.execute(_LINKED)]
    finally:
        listing.close()
    for charger_id in linked:
        cursor = driver.cursor()
        cursor.execute(
            _SELECT.format(p="?", charger=" AND cs.charger_id = ?"), (*bounds, charger_id)
        )
        yield from _rows(cursor, _sqlite_parse_time, _sqlite_decimal)


def _rows(
    cursor: Any, convert_time: Callable[[Any], datetime], convert_decimal: Callable[[Any], Decimal]
) -> Iterator[EreSessionRow]:
    chargers: dict[int, str] = {}
    try:
        while True:
            rows = cursor.fetchmany(FETCH_ROWS)
            if not rows:
                return
            for (
                book_id,
                charger_id,
                source,
                started_at,
                ended_at,
                energy,
                mid_energy,
                discharged,
                meter_start,
                meter_stop,
                raw_sha256,
                registered,
            ) in rows:
                charger = chargers.get(charger_id)
                if charger is None:
                    charger = chargers[charger_id] = str(charger_id)
                yield EreSessionRow(
                    ChargingSession(
                        _SOURCES[source],
                        str(book_id),
                        charger,
                        convert_time(started_at),
                        convert_time(ended_at),
                        convert_decimal(energy),
                        None if mid_energy is None else convert_decimal(mid_energy),
                        _ZERO if discharged is None else convert_decimal(discharged),
                        None,
                        None,
                        None,
                        meter_start,
                        meter_stop,
                    ),
                    bool(registered),
                    raw_sha256,
                )
    finally:
        cursor.close()


def _pg_time(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _pg_decimal(value: Decimal) -> Decimal:
    return value


def _sqlite_parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value + "+00:00")  # stored as naive UTC text


def _sqlite_decimal(value: float) -> Decimal:
    # A stored REAL's shortest repr is the decimal that was written (<= 15 digits).
    return Decimal(repr(value))


def insert_batch_sessions(
    session: Session, rows: Iterable[tuple[int, int, int, Decimal, str]]
) -> None:
    """Register sessions: (session id, batch id, line id, net kWh, raw sha256) per row.

    A session registered before makes the whole statement fail (primary key): the caller's
    transaction must then be rolled back.
    """
    connection = session.connection()
    driver: Any = connection.connection.driver_connection
    postgres = connection.dialect.name == "postgresql"
    batch = [
        (sid, bid, lid, kwh if postgres else float(kwh), sha) for sid, bid, lid, kwh, sha in rows
    ]
    if not batch:
        return
    cursor = driver.cursor()
    try:
        if postgres:
            with cursor.copy(
                "COPY ere_batch_sessions (session_id, batch_id, line_id, energy_kwh, raw_sha256) "
                "FROM STDIN"
            ) as copy:
                for row in batch:
                    copy.write_row(row)
        else:
            cursor.executemany(_INSERT.format(p="?"), batch)
    finally:
        cursor.close()


def exact_kwh_sum(column: Any) -> Any:
    """SUM of a kWh column that is exact on both backends: SQLite stores REAL, whose float sum
    drifts; micro-kWh integers do not. Convert the result with `micro_kwh_to_decimal`."""
    return func.coalesce(func.sum(cast(func.round(column * 1_000_000), BigInteger)), 0)


def micro_kwh_to_decimal(total: int) -> Decimal:
    """The result of `exact_kwh_sum` in kWh."""
    return Decimal(int(total)).scaleb(-6)


def lock_registrations(session: Session) -> None:
    """Serialise batch creation: on PostgreSQL take a lock that conflicts with itself (SQLite
    writers already queue on BEGIN IMMEDIATE). Held until the transaction ends; readers are
    not blocked."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("LOCK TABLE ere_batch_sessions IN SHARE ROW EXCLUSIVE MODE")
