"""Reads the OCPP store makes by key: a charge point's book id, a transaction of a charger, the
current a charger's sessions are judged against."""

from __future__ import annotations

from sqlalchemy import BindParameter, ColumnElement, and_, select
from sqlalchemy.orm import Session

from chargebook.db.book.tables import ChargerRow
from chargebook.db.ocpp.tables import OcppTransactionRow
from chargebook.domain.models import ChargerSource
from chargebook.domain.plausibility import FALLBACK_MAX_CURRENT_A
from chargebook.errors import NotFoundError

_MAX_ROW_ID = 2**31 - 1  # INTEGER primary keys are 32-bit on PostgreSQL


def is_charge_point(charge_point_id: str | BindParameter[str]) -> ColumnElement[bool]:
    """The chargers row of an OCPP charge point: its current row (`owner_until IS NULL`), which
    is also what lets the database use the partial unique index on (source, external_id)
    instead of scanning every charger (2 ms a lookup at 2,000 chargers on SQLite)."""
    return and_(
        ChargerRow.source == ChargerSource.OCPP.value,
        ChargerRow.external_id == charge_point_id,
        ChargerRow.owner_until.is_(None),
    )


def charger_id_of(session: Session, charge_point_id: str) -> int:
    """The book id of an OCPP charge point.

    Raises:
        NotFoundError: no such charge point.
    """
    found = session.scalar(
        select(ChargerRow.id).where(
            is_charge_point(charge_point_id),
        )
    )
    if found is None:
        raise NotFoundError(f"no OCPP charge point {charge_point_id}")
    return found


def transaction_row(
    session: Session, charger_id: int, transaction_id: int | None
) -> OcppTransactionRow | None:
    """The charger's transaction `transaction_id`, or None (unknown, or another charger's)."""
    # Ids chargebook never hands out (an Alfen sends 2**63-1, lbbrhzn/ocpp #361) name no
    # transaction; PostgreSQL would refuse to even look one up in its 32-bit id column.
    if transaction_id is None or not 0 < transaction_id <= _MAX_ROW_ID:
        return None
    row = session.get(OcppTransactionRow, transaction_id)
    return row if row is not None and row.charger_id == charger_id else None


def max_current_a(session: Session, charger_id: int) -> int:
    """The current (A) the plausibility rules allow the charger's sessions."""
    # OCPP does not tell the hardware's maximum, and a limit configured later must not
    # quarantine sessions that charged faster before: never below the AC fallback (48 A).
    row = session.get(ChargerRow, charger_id)
    known = row.max_current_a if row is not None else None
    return max(known or 0, FALLBACK_MAX_CURRENT_A)
