"""The read side of the book's charging sessions (the sync engine writes them: `db.book.store`).

Periods are half-open and select sessions by start time: [start, end) holds a session whose
`started_at` is >= start and < end.
"""

from __future__ import annotations

import builtins
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, ColumnElement, Select, and_, case, cast, func, literal, select
from sqlalchemy.orm import Session

from chargebook.db.book.tables import ChargerRow, ChargingSessionRow
from chargebook.db.core.durations import duration_us
from chargebook.domain.book import SessionState
from chargebook.domain.models import ChargerSource
from chargebook.domain.plausibility import EARLIEST_PLAUSIBLE, LATEST_SHOWN
from chargebook.domain.stored import BookSession, MonthlyEnergy, SessionTotals
from chargebook.errors import NotFoundError

_ZERO_KWH = Decimal("0.000000")
_Query = TypeVar("_Query", bound=Select[*tuple[Any, ...]])


class SessionRepository:
    """Reads charging sessions; never writes, never commits."""

    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def _dialect(self) -> str:
        return self._session.get_bind().dialect.name

    def get(self, session_id: int) -> BookSession:
        """The session with this book id.

        Raises:
            NotFoundError: no such session.
        """
        return _to_domain(self._row(session_id))

    def with_external_id(self, external_id: str, *, limit: int = 10) -> list[BookSession]:
        """Sessions whose source calls them `external_id` (unique per charger, not across
        chargers), by book id; at most `limit`."""
        query = (
            select(ChargingSessionRow)
            .where(ChargingSessionRow.external_id == external_id)
            .order_by(ChargingSessionRow.id)
            .limit(limit)
        )
        return [_to_domain(row) for row in self._session.scalars(query)]

    def get_raw_payload(self, session_id: int) -> dict[str, Any]:
        """The payload exactly as the source delivered it (the evidence).

        Raises:
            NotFoundError: no such session.
        """
        payload: dict[str, Any] = json.loads(self._row(session_id).raw_payload)
        return payload

    def list(
        self,
        *,
        charger_id: int | None = None,
        owner_user_id: int | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        state: SessionState | None = None,
        limit: int | None = None,
        offset: int = 0,
        newest_first: bool = True,
    ) -> list[BookSession]:
        """Sessions matching every given filter, by start time (newest first by default)."""
        query = _filtered(select(ChargingSessionRow), charger_id, owner_user_id, start, end, state)
        # Ties on the start time follow the same direction: (started_at, id) newest first is
        # the keyset order of `BookReadRepository.session_page`, so a page, its export and
        # the CLI list sessions that started together in one order (and one index serves it).
        cs = ChargingSessionRow
        order = (cs.started_at.desc(), cs.id.desc()) if newest_first else (cs.started_at, cs.id)
        query = query.order_by(*order).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        return [_to_domain(row) for row in self._session.scalars(query)]

    def count(
        self,
        *,
        charger_id: int | None = None,
        owner_user_id: int | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        state: SessionState | None = None,
    ) -> int:
        """How many sessions `list` would return without a limit."""
        query = _filtered(
            select(func.count(ChargingSessionRow.id)),
            *(charger_id, owner_user_id, start, end, state),
        )
        count: int = self._session.execute(query).scalar_one()
        return count

    def totals(
        self,
        *,
        charger_id: int | None = None,
        owner_user_id: int | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        state: SessionState | None = None,
    ) -> SessionTotals:
        """Count, kWh, seconds and cost of the sessions `list` would return, summed in SQL
        (one row back, however many sessions). Seconds are whole seconds per session, as
        `BookSession.duration_s`; sessions without an end count 0 s."""
        cs = ChargingSessionRow
        seconds = case(
            (
                and_(cs.started_at.is_not(None), cs.ended_at.is_not(None)),
                duration_us(self._dialect, cs.started_at, cs.ended_at) // 1_000_000,
            ),
            else_=0,
        )
        query = select(
            func.count(cs.id),
            func.sum(cs.energy_kwh),
            func.sum(cast(seconds, BigInteger)),
            func.sum(cs.cost),
        )
        count, energy, duration, cost = self._session.execute(
            _filtered(query, charger_id, owner_user_id, start, end, state)
        ).one()
        return SessionTotals(
            count=int(count),
            energy_kwh=Decimal(energy) if energy is not None else _ZERO_KWH,
            duration_s=int(duration or 0),
            cost=Decimal(cost) if cost is not None else None,
        )

    def energy_by_month(
        self,
        *,
        time_zone: str = "Europe/Amsterdam",
        charger_id: int | None = None,
        owner_user_id: int | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> builtins.list[MonthlyEnergy]:
        """Energy (kWh), session count and cost of ok sessions per calendar month, oldest first.

        Months are those of `time_zone` and a session counts in the month it started in;
        sessions outside `chargebook.domain.plausibility.is_shown` are left out.
        Summed in SQL on both backends: the month boundaries are computed here (exact across
        DST) and the database buckets sessions by them. Months without sessions are left out.

        Raises:
            ValueError: `time_zone` is not a known IANA zone.
        """
        zone = ZoneInfo(time_zone)
        # Times no charger can have (an old book's year 1 or 9999) are left out: they would
        # span thousands of months, or months no calendar can name.
        start = max(start, EARLIEST_PLAUSIBLE) if start is not None else EARLIEST_PLAUSIBLE
        end = min(end, LATEST_SHOWN) if end is not None else LATEST_SHOWN
        filters = (charger_id, owner_user_id, start, end, SessionState.OK)
        started_at = ChargingSessionRow.started_at
        first, last = self._session.execute(
            _filtered(select(func.min(started_at), func.max(started_at)), *filters)
        ).one()
        if first is None or last is None:
            return []
        months = _month_starts(first.astimezone(zone), last.astimezone(zone), zone)
        # CASE started_at < boundary(i+1) THEN i: sessions are >= boundary(0) by construction.
        bucket = case(
            *((started_at < boundary, index) for index, boundary in enumerate(months[1:])),
        ).label("bucket")
        buckets = _filtered(
            select(
                bucket,
                ChargingSessionRow.energy_kwh.label("energy_kwh"),
                ChargingSessionRow.cost.label("cost"),
            ),
            *filters,
        ).subquery()
        rows = self._session.execute(
            select(
                buckets.c.bucket,
                func.sum(buckets.c.energy_kwh),
                func.count(),
                func.sum(buckets.c.cost),
                func.count(buckets.c.cost),
            )
            .group_by(buckets.c.bucket)
            .order_by(buckets.c.bucket)
        ).all()
        return [
            MonthlyEnergy(
                month=months[index].astimezone(zone).date().replace(day=1),
                energy_kwh=energy if energy is not None else _ZERO_KWH,
                session_count=count,
                cost=_finite(Decimal(cost)) if cost is not None else None,
                costed_count=costed,
            )
            for index, energy, count, cost, costed in rows
        ]

    def _row(self, session_id: int) -> ChargingSessionRow:
        row = self._session.get(ChargingSessionRow, session_id)
        if row is None:
            raise NotFoundError(f"no charging session with id {session_id}")
        return row


def _filtered(
    query: _Query,
    charger_id: int | None,
    owner_user_id: int | None,
    start: datetime | None,
    end: datetime | None,
    state: SessionState | None,
) -> _Query:
    conditions: list[ColumnElement[bool]] = []
    if charger_id is not None:
        conditions.append(ChargingSessionRow.charger_id == charger_id)
    if owner_user_id is not None:
        owned = select(ChargerRow.id).where(ChargerRow.owner_user_id == owner_user_id)
        conditions.append(ChargingSessionRow.charger_id.in_(owned))
    if start is not None:
        conditions.append(ChargingSessionRow.started_at >= start)
    if end is not None:
        conditions.append(ChargingSessionRow.started_at < end)
    if state is not None:
        conditions.append(state_is(state))
    return query.where(*conditions) if conditions else query


def state_is(state: SessionState) -> ColumnElement[bool]:
    """`state = ...` with the state as a literal in the SQL text.

    Only quarantined sessions are indexed by state (`ix_charging_sessions_quarantined`, a
    partial index). SQLite uses a partial index only when the query's WHERE names its
    condition literally, not through a bound parameter; the states are our own constants.
    """
    return ChargingSessionRow.state == literal(state.value, literal_execute=True)


def _month_starts(first: datetime, last: datetime, zone: ZoneInfo) -> list[datetime]:
    """UTC instants of local month starts, from `first`'s month to the month after `last`."""
    month = date(first.year, first.month, 1)
    stop = date(last.year, last.month, 1)
    starts: list[datetime] = []
    while True:
        starts.append(datetime(month.year, month.month, 1, tzinfo=zone).astimezone(UTC))
        if month > stop:
            return starts
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _finite(value: Decimal | None) -> Decimal | None:
    # PostgreSQL's numeric can hold NaN (no write path stores one: `ExactDecimal` refuses
    # it); shown as unknown rather than failing every page that formats it.
    return value if value is None or value.is_finite() else None


def _to_domain(row: ChargingSessionRow) -> BookSession:
    return BookSession(
        id=row.id,
        charger_id=row.charger_id,
        source=ChargerSource(row.source),
        external_id=row.external_id,
        started_at=row.started_at,
        ended_at=row.ended_at,
        energy_kwh=_finite(row.energy_kwh),
        mid_energy_kwh=_finite(row.mid_energy_kwh),
        discharged_energy_kwh=_finite(row.discharged_energy_kwh),
        meter_start_wh=row.meter_start_wh,
        meter_stop_wh=row.meter_stop_wh,
        cost=_finite(row.cost),
        currency=row.currency,
        state=SessionState(row.state),
        quarantine_reason=row.quarantine_reason,
        raw_sha256=row.raw_sha256,
        first_seen_at=row.first_seen_at,
        last_seen_at=row.last_seen_at,
    )
