"""Live samples of chargers (power and session energy over time), idempotent per instant."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, tuple_, update
from sqlalchemy.orm import Session

from chargebook.db.canonical import canonical_json
from chargebook.db.repositories._common import dialect_insert
from chargebook.db.tables import ChargerRow, SessionSampleRow
from chargebook.domain.book import SessionSample
from chargebook.domain.models import ChargerSource, ChargerState
from chargebook.errors import NotFoundError

# Rows per INSERT: 9 parameters each stays far below SQLite's 32766-variable limit.
_CHUNK_ROWS = 500


class SampleRepository:
    """Reads and writes session samples; adds and flushes, never commits."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add_many(self, samples: Sequence[SessionSample]) -> int:
        """Store the samples not stored yet (same charger and `observed_at` = same sample).

        Returns the number of samples that were new. One INSERT .. ON CONFLICT DO NOTHING per
        chunk on both backends, so overlapping or concurrent polls cannot duplicate a sample.

        Raises:
            NotFoundError: a sample names a charger the book does not have.
        """
        if not samples:
            return 0
        charger_ids = self._charger_ids({(s.source, s.charger_external_id) for s in samples})
        rows = [
            _row(charger_ids[(sample.source, sample.charger_external_id)], sample)
            for sample in samples
        ]
        insert = dialect_insert(self._session)
        inserted = 0
        for start in range(0, len(rows), _CHUNK_ROWS):
            statement = (
                insert(SessionSampleRow.__table__)
                .values(rows[start : start + _CHUNK_ROWS])
                .on_conflict_do_nothing(index_elements=["charger_id", "observed_at"])
                .returning(SessionSampleRow.__table__.c.id)
            )
            inserted += len(self._session.execute(statement).all())
        return inserted

    def add_known(self, samples: Sequence[tuple[int, SessionSample]]) -> None:
        """Store (charger book id, sample) pairs not stored yet, without counting them.

        For hot write paths that know their charger ids (the OCPP central system): one
        compiled INSERT .. ON CONFLICT DO NOTHING run as executemany, so no charger lookup and
        no per-batch-size recompilation of a multi-row VALUES.
        """
        if not samples:
            return
        statement = dialect_insert(self._session)(
            SessionSampleRow.__table__
        ).on_conflict_do_nothing(index_elements=["charger_id", "observed_at"])
        self._session.execute(
            statement, [_row(charger_id, sample) for charger_id, sample in samples]
        )

    def list_for_charger(
        self, charger_id: int, *, start: datetime, end: datetime
    ) -> list[SessionSample]:
        """The charger's samples observed in [start, end), oldest first."""
        return self._list(
            _with_charger().where(
                SessionSampleRow.charger_id == charger_id,
                SessionSampleRow.observed_at >= start,
                SessionSampleRow.observed_at < end,
            )
        )

    def list_for_session(self, session_id: int) -> list[SessionSample]:
        """The samples linked to a session, oldest first."""
        return self._list(_with_charger().where(SessionSampleRow.session_id == session_id))

    def link_to_session(
        self, charger_id: int, *, start: datetime, end: datetime, session_id: int
    ) -> int:
        """Link the charger's samples observed in [start, end) to a session; returns how many.

        Samples already linked to another session are left alone.
        """
        result = self._session.execute(
            update(SessionSampleRow)
            .where(
                SessionSampleRow.charger_id == charger_id,
                SessionSampleRow.observed_at >= start,
                SessionSampleRow.observed_at < end,
                SessionSampleRow.session_id.is_(None),
            )
            .values(session_id=session_id)
            .execution_options(synchronize_session=False)
        )
        count: int = result.rowcount  # type: ignore[attr-defined]
        return count

    def _list(self, query: Select[SessionSampleRow, str, str]) -> list[SessionSample]:
        rows = self._session.execute(query.order_by(SessionSampleRow.observed_at)).all()
        return [_to_domain(sample, source, external_id) for sample, source, external_id in rows]

    def _charger_ids(
        self, keys: set[tuple[ChargerSource, str]]
    ) -> dict[tuple[ChargerSource, str], int]:
        found = self._session.execute(
            select(ChargerRow.source, ChargerRow.external_id, ChargerRow.id).where(
                tuple_(ChargerRow.source, ChargerRow.external_id).in_(
                    [(source.value, external_id) for source, external_id in keys]
                ),
                ChargerRow.owner_until.is_(None),  # live readings: the current owner's row
            )
        ).all()
        ids = {(ChargerSource(source), external_id): id_ for source, external_id, id_ in found}
        missing = sorted(
            f"{source.value}:{external_id}" for source, external_id in keys - ids.keys()
        )
        if missing:
            raise NotFoundError(f"samples for unknown chargers: {', '.join(missing)}")
        return ids


def _row(charger_id: int, sample: SessionSample) -> dict[str, Any]:
    return {
        "charger_id": charger_id,
        "observed_at": sample.observed_at,
        "power_kw": sample.power_kw,
        "session_energy_kwh": sample.energy_kwh,
        "status": sample.state.value,
        "status_code": sample.status_code,
        "extra": canonical_json(sample.extra) if sample.extra else None,
    }


def _with_charger() -> Select[SessionSampleRow, str, str]:
    return select(SessionSampleRow, ChargerRow.source, ChargerRow.external_id).join(
        ChargerRow, ChargerRow.id == SessionSampleRow.charger_id
    )


def _to_domain(row: SessionSampleRow, source: str, external_id: str) -> SessionSample:
    return SessionSample(
        source=ChargerSource(source),
        charger_external_id=external_id,
        observed_at=row.observed_at,
        power_kw=row.power_kw,
        energy_kwh=row.session_energy_kwh,
        state=ChargerState(row.status) if row.status else ChargerState.UNKNOWN,
        status_code=row.status_code if row.status_code is not None else 0,
        extra=json.loads(row.extra) if row.extra else {},
    )
