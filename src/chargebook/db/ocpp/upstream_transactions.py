"""The transaction-id map of mirrored chargers (`central_system.mirror.transactions`), durable:
read when a charger connects, written as ids are learnt. Adds and flushes, never commits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from chargebook.db.book.tables import ChargerRow
from chargebook.db.ocpp.lookups import is_charge_point
from chargebook.db.ocpp.upstream_tables import OcppUpstreamTransactionRow

# (charger_tx, book_tx, upstream_tx)
IdTriple = tuple[int, int | None, int | None]


def _charger_id(session: Session, charge_point_id: str) -> int | None:
    return session.execute(
        select(ChargerRow.id).where(
            is_charge_point(charge_point_id),
        )
    ).scalar_one_or_none()


def load_transaction_ids(session: Session, charge_point_id: str) -> list[IdTriple]:
    """Every known mapping of the charger (none for an unknown charger)."""
    charger_id = _charger_id(session, charge_point_id)
    if charger_id is None:
        return []
    rows = session.execute(
        select(
            OcppUpstreamTransactionRow.charger_tx,
            OcppUpstreamTransactionRow.book_tx,
            OcppUpstreamTransactionRow.upstream_tx,
        ).where(OcppUpstreamTransactionRow.charger_id == charger_id)
    ).all()
    return [(row[0], row[1], row[2]) for row in rows]


def save_transaction_ids(
    session: Session,
    charge_point_id: str,
    charger_tx: int,
    *,
    book_tx: int | None,
    upstream_tx: int | None,
) -> None:
    """Record what is known of `charger_tx`; None leaves a stored id as it is. Nothing is
    stored for an unknown charger (it was deleted meanwhile)."""
    charger_id = _charger_id(session, charge_point_id)
    if charger_id is None:
        return
    row = session.get(OcppUpstreamTransactionRow, (charger_id, charger_tx))
    if row is None:
        row = OcppUpstreamTransactionRow(charger_id=charger_id, charger_tx=charger_tx)
        session.add(row)
    if book_tx is not None:
        row.book_tx = book_tx
    if upstream_tx is not None:
        row.upstream_tx = upstream_tx
    session.flush()
