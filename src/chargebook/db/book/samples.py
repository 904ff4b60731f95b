"""Live samples of chargers (power and session energy over time), idempotent per instant."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, case, select, tuple_, update
from sqlalchemy.orm import Session

from chargebook.db.book.tables import ChargerRow, SessionSampleRow
from chargebook.db.core.canonical import canonical_json
from chargebook.db.core.writes import dialect_insert
from chargebook.domain.book import SessionSample
from chargebook.domain.models import ChargerSource, ChargerState
from chargebook.domain.plausibility import EARLIEST_PLAUSIBLE, LATEST_SHOWN
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
        """Store (charger book id, sample) pairs; readings of one instant become one sample.

        For hot write paths that know their charger ids (the OCPP central system): one
        compiled INSERT .. ON CONFLICT DO UPDATE run as executemany, so no charger lookup and
        no per-batch-size recompilation of a multi-row VALUES.

        Several readings of the same second (a TriggerMessage answer next to a periodic one,
        StopTransaction's reading at the last MeterValues' second) are merged, not dropped:
        the later reading's power and energy win when it measured them (`power_w` and
        `energy_register_wh` in its extra say so), else the earlier ones stay. A resent
        reading writes the same values again, so replays stay idempotent.
        """
        if not samples:
            return
        merged: dict[tuple[int, datetime], dict[str, Any]] = {}
        for charger_id, sample in samples:
            row = _row(charger_id, sample)
            key = (charger_id, sample.observed_at)
            merged[key] = _merge_rows(merged[key], row) if key in merged else row
        self._session.execute(_known_upsert(self._session), list(merged.values()))

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
        shown = query.where(*sample_is_shown()).order_by(SessionSampleRow.observed_at)
        rows = self._session.execute(shown).all()
        return [sample_to_domain(row, source, external_id) for row, source, external_id in rows]

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


# Beyond any float a reading can be, but finite: excludes +-Infinity and (PostgreSQL) NaN,
# which sorts above every number there; SQLite stores NaN as NULL.
_FINITE = 1e308


def sample_is_shown() -> tuple[ColumnElement[bool], ...]:
    """Conditions that leave out samples no view can show: a power or energy that is not a
    finite number, a time outside `chargebook.domain.plausibility.is_shown` (an old book may
    hold them, stored before the central system refused them)."""
    return (
        SessionSampleRow.power_kw.between(-_FINITE, _FINITE),
        SessionSampleRow.session_energy_kwh.between(-_FINITE, _FINITE),
        SessionSampleRow.observed_at >= EARLIEST_PLAUSIBLE,
        SessionSampleRow.observed_at < LATEST_SHOWN,
    )


# The upsert of `add_known`, built once per dialect: building it (the `excluded` alias, the
# CASEs) cost more than executing it for a central system's small batches.
_KNOWN_UPSERTS: dict[str, Any] = {}


def _known_upsert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    statement = _KNOWN_UPSERTS.get(dialect)
    if statement is None:
        table = SessionSampleRow.__table__
        insert = dialect_insert(session)(table)
        measured_power = insert.excluded.extra.like('%"power_w":%')
        measured_energy = insert.excluded.extra.like('%"energy_register_wh":%')
        statement = _KNOWN_UPSERTS[dialect] = insert.on_conflict_do_update(
            index_elements=["charger_id", "observed_at"],
            set_={
                "power_kw": case(
                    (measured_power, insert.excluded.power_kw), else_=table.c.power_kw
                ),
                "status": case((measured_power, insert.excluded.status), else_=table.c.status),
                "session_energy_kwh": case(
                    (measured_energy, insert.excluded.session_energy_kwh),
                    else_=table.c.session_energy_kwh,
                ),
                "extra": insert.excluded.extra,
            },
        )
    return statement


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


def sample_to_domain(row: SessionSampleRow, source: str, external_id: str) -> SessionSample:
    """A stored sample for the views; a state this version does not know (written by another
    version) is unknown, and evidence that is not a JSON object is left out, never a 500."""
    return SessionSample(
        source=ChargerSource(source),
        charger_external_id=external_id,
        observed_at=row.observed_at,
        power_kw=row.power_kw,
        energy_kwh=row.session_energy_kwh,
        state=_state(row.status),
        status_code=row.status_code if row.status_code is not None else 0,
        extra=_extra(row.extra),
    )


def _merge_rows(earlier: dict[str, Any], later: dict[str, Any]) -> dict[str, Any]:
    """Two rows of one charger and instant, as `add_known`'s ON CONFLICT merges them."""
    later_extra = json.loads(later["extra"]) if later["extra"] else {}
    earlier_extra = json.loads(earlier["extra"]) if earlier["extra"] else {}
    row = dict(later)
    if "power_w" not in later_extra:
        row["power_kw"], row["status"] = earlier["power_kw"], earlier["status"]
    if "energy_register_wh" not in later_extra:
        row["session_energy_kwh"] = earlier["session_energy_kwh"]
    merged_extra = {**earlier_extra, **later_extra}
    row["extra"] = canonical_json(merged_extra) if merged_extra else None
    return row


def _state(value: str | None) -> ChargerState:
    try:
        return ChargerState(value) if value else ChargerState.UNKNOWN
    except ValueError:
        return ChargerState.UNKNOWN


def _extra(text: str | None) -> dict[str, Any]:
    try:
        parsed = json.loads(text) if text else {}
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}
