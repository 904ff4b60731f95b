"""Small grouped reads for an owner's credits page and for EREs per session: registered
sessions (paid or not), sessions on chargers not linked to a connection, the MID kWh of a
year, and the registrations of a list of sessions. Each is one statement (the last one per
chunk of ids), whatever the number of sessions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, and_, case, cast, func, select
from sqlalchemy.orm import Session

from chargebook.db.book.tables import ChargerRow, ChargingSessionRow
from chargebook.db.ere.tables import (
    EreBatchLineRow,
    EreBatchSessionRow,
    EreChargerLinkRow,
    EreConnectionRow,
    ErePayoutRow,
    EreStatementLineRow,
)

# Ids per `IN (...)`: well under SQLite's and PostgreSQL's bound-parameter limits.
ID_CHUNK = 5_000
MICRO_KWH = Decimal("0.000001")
MICRO = 1_000_000


@dataclass(frozen=True, slots=True)
class SessionCount:
    sessions: int
    energy_kwh: Decimal


def kwh_of(value: object) -> Decimal:
    """A kWh sum as the database returns it (a REAL's float on SQLite, NUMERIC on
    PostgreSQL) to the stored precision, 6 places, without trailing zeros."""
    exact = Decimal(str(value or 0)).quantize(MICRO_KWH).normalize()
    exponent = exact.as_tuple().exponent
    return exact.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else exact


def _count(row: Sequence[object]) -> SessionCount:
    sessions, kwh = row[0], row[1]
    return SessionCount(int(str(sessions or 0)), kwh_of(kwh))


def registered_counts(
    session: Session, customer_id: int, *, start: datetime, end: datetime
) -> dict[bool, SessionCount]:
    """The customer's registered sessions ending in [start, end), by whether their line's
    statement was paid: {paid: (sessions, registered kWh)}."""
    bs, line, sl, payout = EreBatchSessionRow, EreBatchLineRow, EreStatementLineRow, ErePayoutRow
    paid = case((payout.status == "paid", True), else_=False)
    rows = session.execute(
        select(paid, func.count(), func.sum(bs.energy_kwh))
        .select_from(bs)
        .join(line, line.id == bs.line_id)
        .join(ChargingSessionRow, ChargingSessionRow.id == bs.session_id)
        .outerjoin(sl, sl.line_id == line.id)
        .outerjoin(payout, payout.statement_id == sl.statement_id)
        .where(
            line.customer_user_id == customer_id,
            ChargingSessionRow.ended_at >= start,
            ChargingSessionRow.ended_at < end,
        )
        .group_by(paid)
    )
    return {bool(row[0]): _count(row[1:]) for row in rows}


def unlinked_counts(
    session: Session, owner_user_id: int, *, start: datetime, end: datetime
) -> SessionCount:
    """The owner's ok sessions ending in [start, end) on chargers that no connection links
    (the rules never see them: `charger_not_linked`)."""
    cs = ChargingSessionRow
    linked = select(EreChargerLinkRow.charger_id)
    owned = select(ChargerRow.id).where(
        ChargerRow.owner_user_id == owner_user_id, ChargerRow.id.not_in(linked)
    )
    row = session.execute(
        select(func.count(), func.sum(cs.energy_kwh)).where(
            cs.charger_id.in_(owned), cs.state == "ok", cs.ended_at >= start, cs.ended_at < end
        )
    ).one()
    return _count(row)


def mid_energy(
    session: Session,
    owner_user_id: int,
    *,
    start: datetime,
    end: datetime,
    charger_ids: Sequence[int] | None = None,
) -> SessionCount:
    """The owner's ok sessions ending in [start, end) with MID energy, and that energy net of
    what was fed back (V2G), on `charger_ids` (None: every charger the owner has).

    MID energy as the rules take it for a MID meter: the reported MID kWh, else the meter
    registers' difference on a charger that reports a MID meter (OCPP); summed as exact
    micro-kWh integers on both backends."""
    cs, charger = ChargingSessionRow, ChargerRow
    reports_mid = and_(
        charger.mid_enabled.is_(True),
        charger.mid_serial_number.is_not(None),
        charger.mid_serial_number != "",
    )
    registers = and_(reports_mid, cs.meter_start_wh.is_not(None), cs.meter_stop_wh.is_not(None))
    gross = case(
        (cs.mid_energy_kwh.is_not(None), _micro(cs.mid_energy_kwh)),
        (registers, (cs.meter_stop_wh - cs.meter_start_wh) * 1000),
        else_=None,
    )
    net = gross - _micro(func.coalesce(cs.discharged_energy_kwh, 0))
    statement = (
        select(func.count(), func.sum(net))
        .select_from(cs)
        .join(charger, charger.id == cs.charger_id)
        .where(
            charger.owner_user_id == owner_user_id,
            cs.state == "ok",
            cs.ended_at >= start,
            cs.ended_at < end,
            gross > 0,
            net > 0,
        )
    )
    if charger_ids is not None:
        statement = statement.where(charger.id.in_(list(charger_ids)))
    sessions, micro = session.execute(statement).one()
    return SessionCount(int(sessions or 0), kwh_of(Decimal(int(micro or 0)) / MICRO))


def _micro(column: Any) -> ColumnElement[Any]:
    """kWh -> exact integer micro-kWh (as `chargebook.db.ere.eligibility` computes it)."""
    return cast(func.round(column * MICRO), BigInteger)


def session_customers(session: Session, session_ids: Sequence[int]) -> dict[int, int]:
    """session id -> the customer whose connection links its charger (unlinked: absent)."""
    cs = ChargingSessionRow
    found: dict[int, int] = {}
    for chunk in _chunks(session_ids):
        rows = session.execute(
            select(cs.id, EreConnectionRow.customer_user_id)
            .join(EreChargerLinkRow, EreChargerLinkRow.charger_id == cs.charger_id)
            .join(EreConnectionRow, EreConnectionRow.id == EreChargerLinkRow.connection_id)
            .where(cs.id.in_(chunk))
        )
        found.update({int(sid): int(customer) for sid, customer in rows})
    return found


def registrations(session: Session, session_ids: Sequence[int]) -> dict[int, Decimal]:
    """session id -> the net kWh it was registered with, for the registered ones."""
    found: dict[int, Decimal] = {}
    bs = EreBatchSessionRow
    for chunk in _chunks(session_ids):
        rows = session.execute(select(bs.session_id, bs.energy_kwh).where(bs.session_id.in_(chunk)))
        found.update({int(sid): kwh_of(kwh) for sid, kwh in rows})
    return found


def _chunks(ids: Sequence[int]) -> list[list[int]]:
    unique = sorted(set(ids))
    return [unique[i : i + ID_CHUNK] for i in range(0, len(unique), ID_CHUNK)]


class CreditReads:
    """The reads above over one session (`EreStore.credits`)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def registered(
        self, customer_id: int, *, start: datetime, end: datetime
    ) -> dict[bool, SessionCount]:
        return registered_counts(self._session, customer_id, start=start, end=end)

    def unlinked(self, owner_user_id: int, *, start: datetime, end: datetime) -> SessionCount:
        return unlinked_counts(self._session, owner_user_id, start=start, end=end)

    def mid_energy(
        self,
        owner_user_id: int,
        *,
        start: datetime,
        end: datetime,
        charger_ids: Sequence[int] | None = None,
    ) -> SessionCount:
        return mid_energy(
            self._session, owner_user_id, start=start, end=end, charger_ids=charger_ids
        )

    def session_customers(self, session_ids: Sequence[int]) -> dict[int, int]:
        return session_customers(self._session, session_ids)

    def registrations(self, session_ids: Sequence[int]) -> dict[int, Decimal]:
        return registrations(self._session, session_ids)
