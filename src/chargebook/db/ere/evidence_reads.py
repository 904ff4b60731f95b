"""Sums the materiality check compares (`chargebook.ere.service.materiality`): per batch line,
the registered kWh against the MID register readings of the same sessions, in exact micro-kWh
integers on both backends (one grouped query per batch)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import BigInteger, and_, case, cast, func, select
from sqlalchemy.orm import Session

from chargebook.db.book.tables import ChargingSessionRow
from chargebook.db.ere.sessions import exact_kwh_sum, micro_kwh_to_decimal
from chargebook.db.ere.tables import EreBatchSessionRow


@dataclass(frozen=True, slots=True)
class LineSums:
    line_id: int
    sessions: int
    registered_kwh: Decimal  # what the line's sessions were registered with
    with_readings: int  # sessions carrying both MID register readings
    registered_with_readings_kwh: Decimal  # registered kWh of those sessions
    register_delta_kwh: Decimal  # sum of (meter_stop_wh - meter_start_wh) of those sessions


def line_sums(session: Session, batch_id: int) -> list[LineSums]:
    """Per line of `batch_id`: registered kWh, and for sessions with register readings the
    registered kWh against the register delta."""
    registered, book = EreBatchSessionRow, ChargingSessionRow
    has_readings = and_(book.meter_start_wh.is_not(None), book.meter_stop_wh.is_not(None))
    delta_micro = cast(book.meter_stop_wh - book.meter_start_wh, BigInteger) * 1000
    rows = session.execute(
        select(
            registered.line_id,
            func.count(),
            exact_kwh_sum(registered.energy_kwh),
            func.coalesce(func.sum(case((has_readings, 1), else_=0)), 0),
            exact_kwh_sum(case((has_readings, registered.energy_kwh), else_=0)),
            func.coalesce(func.sum(case((has_readings, delta_micro), else_=0)), 0),
        )
        .join(book, book.id == registered.session_id)
        .where(registered.batch_id == batch_id)
        .group_by(registered.line_id)
        .order_by(registered.line_id)
    )
    return [
        LineSums(
            line_id=int(line_id),
            sessions=int(count),
            registered_kwh=micro_kwh_to_decimal(total),
            with_readings=int(readings),
            registered_with_readings_kwh=micro_kwh_to_decimal(with_total),
            register_delta_kwh=micro_kwh_to_decimal(delta),
        )
        for line_id, count, total, readings, with_total, delta in rows
    ]
