"""Reads for the web app and API: keyset pages of sessions, a charger's latest sample.

Keyset pagination walks (started_at, id) newest first: a page costs the same at any depth and
never counts the whole book. An owner's few chargers are read one by one through the
(charger_id, started_at) index and merged; everyone's sessions (operator) walk the
(started_at, id) index. Records that could not be parsed have no start time and are not paged
(they are quarantined and listed by `SessionRepository.list(state=...)`).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, select, tuple_
from sqlalchemy.orm import Session

from chargebook.db.book.samples import sample_is_shown, sample_to_domain
from chargebook.db.book.sessions import _to_domain as _session_to_domain
from chargebook.db.book.sessions import state_is
from chargebook.db.book.tables import ChargerRow, ChargingSessionRow, SessionSampleRow
from chargebook.domain.book import SessionSample, SessionState
from chargebook.domain.stored import BookSession

# Above this many chargers, one query over the (started_at, id) index beats one per charger.
_PER_CHARGER_LIMIT = 32


class BookReadRepository:
    """Read-only queries shaped for pages and the API; never writes."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def session_page(
        self,
        *,
        charger_ids: Sequence[int] | None,
        after: tuple[datetime, int] | None = None,
        limit: int = 50,
        state: SessionState | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[BookSession]:
        """Up to `limit` sessions, newest first, strictly after the keyset `after`.

        `charger_ids` None means every charger; an empty list means none. `start`/`end`
        select by start time, half-open.
        """
        if charger_ids is not None and not charger_ids:
            return []
        conditions: list[ColumnElement[bool]] = [ChargingSessionRow.started_at.is_not(None)]
        if after is not None:
            conditions.append(
                tuple_(ChargingSessionRow.started_at, ChargingSessionRow.id)
                < tuple_(after[0], after[1])
            )
        if state is not None:
            conditions.append(state_is(state))
        if start is not None:
            conditions.append(ChargingSessionRow.started_at >= start)
        if end is not None:
            conditions.append(ChargingSessionRow.started_at < end)
        order = (ChargingSessionRow.started_at.desc(), ChargingSessionRow.id.desc())
        base = select(ChargingSessionRow).where(*conditions).order_by(*order).limit(limit)
        if charger_ids is None or len(charger_ids) > _PER_CHARGER_LIMIT:
            query = base
            if charger_ids is not None:
                query = query.where(ChargingSessionRow.charger_id.in_(charger_ids))
            return [_session_to_domain(row) for row in self._session.scalars(query)]
        per_charger = [
            [
                _session_to_domain(row)
                for row in self._session.scalars(
                    base.where(ChargingSessionRow.charger_id == charger_id)
                )
            ]
            for charger_id in charger_ids
        ]
        merged = heapq.merge(*per_charger, key=_keyset, reverse=True)
        return [row for _, row in zip(range(limit), merged, strict=False)]

    def latest_sample(
        self, charger_id: int, *, not_after: datetime | None = None
    ) -> SessionSample | None:
        """The charger's most recent live sample, or None.

        Samples a view cannot show (`sample_is_shown`) are skipped, and so are those after
        `not_after` (give the clock plus its tolerance): a reading stamped in the future
        would otherwise stay "the latest" until that day.
        """
        conditions = [SessionSampleRow.charger_id == charger_id, *sample_is_shown()]
        if not_after is not None:
            conditions.append(SessionSampleRow.observed_at <= not_after)
        found = self._session.execute(
            select(SessionSampleRow, ChargerRow.source, ChargerRow.external_id)
            .join(ChargerRow, ChargerRow.id == SessionSampleRow.charger_id)
            .where(*conditions)
            .order_by(SessionSampleRow.observed_at.desc())
            .limit(1)
        ).one_or_none()
        if found is None:
            return None
        row, source, external_id = found
        return sample_to_domain(row, source, external_id)


def _keyset(session: BookSession) -> tuple[datetime, int]:
    assert session.started_at is not None  # the query excludes sessions without a start
    return session.started_at, session.id
