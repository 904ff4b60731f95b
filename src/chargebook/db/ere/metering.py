"""Metering constructs per charger (historised), the operator's follow-ups, and SAP or
dedicated-connection meter readings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from chargebook.clock import Clock
from chargebook.db.book.tables import ChargerRow
from chargebook.db.core.writes import flush_or_conflict
from chargebook.db.ere.tables import (
    EreFollowUpRow,
    EreMeteringConstructRow,
    EreMeterReadingRow,
)
from chargebook.domain.ere import MeteringConstruct, MeteringKind
from chargebook.domain.ere_book import FollowUpStatus, StoredConstruct, StoredFollowUp
from chargebook.errors import ConflictError, NotFoundError


class MeteringRepository:
    """Constructs and follow-ups; adds and flushes, never commits."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    # -- constructs -----------------------------------------------------------------------

    def add_construct(
        self,
        charger_id: int,
        *,
        kind: MeteringKind,
        valid_from: datetime,
        mid_serial: str | None = None,
        sap_ean: str | None = None,
        explanation: str,
        recorded_by: str,
    ) -> StoredConstruct:
        """Start a construct at `valid_from`; the open one before it ends there.

        History is appended in time order: a construct cannot start at or before the start of
        the charger's latest construct.

        Raises:
            NotFoundError: no such charger.
            ConflictError: `valid_from` is not after the latest construct's start, or falls
                inside a closed construct.
        """
        if self._session.get(ChargerRow, charger_id) is None:
            raise NotFoundError(f"no charger with id {charger_id}")
        latest = self._session.scalars(
            select(EreMeteringConstructRow)
            .where(EreMeteringConstructRow.charger_id == charger_id)
            .order_by(EreMeteringConstructRow.valid_from.desc())
            .limit(1)
        ).one_or_none()
        if latest is not None:
            if valid_from <= latest.valid_from:
                raise ConflictError(
                    f"charger {charger_id} has a construct from "
                    f"{latest.valid_from.isoformat()}; a new one must start later"
                )
            if latest.valid_until is None:
                latest.valid_until = valid_from
            elif latest.valid_until > valid_from:
                raise ConflictError(f"{valid_from.isoformat()} falls inside an earlier construct")
        row = EreMeteringConstructRow(
            charger_id=charger_id,
            kind=kind.value,
            valid_from=valid_from,
            valid_until=None,
            mid_serial=mid_serial,
            sap_ean=sap_ean,
            explanation=explanation,
            recorded_by=recorded_by,
            created_at=self._clock.now(),
        )
        self._session.add(row)
        flush_or_conflict(self._session, f"charger {charger_id} already has an open construct")
        return _construct(row)

    def current(self, charger_id: int) -> StoredConstruct | None:
        """The open-ended construct of a charger, if any."""
        row = self._session.scalars(
            select(EreMeteringConstructRow).where(
                EreMeteringConstructRow.charger_id == charger_id,
                EreMeteringConstructRow.valid_until.is_(None),
            )
        ).one_or_none()
        return None if row is None else _construct(row)

    def list_constructs(self, *, charger_id: int | None = None) -> list[StoredConstruct]:
        """Constructs by charger and start."""
        query = select(EreMeteringConstructRow).order_by(
            EreMeteringConstructRow.charger_id, EreMeteringConstructRow.valid_from
        )
        if charger_id is not None:
            query = query.where(EreMeteringConstructRow.charger_id == charger_id)
        return [_construct(row) for row in self._session.scalars(query)]

    def constructs_by_charger(self) -> dict[int, tuple[MeteringConstruct, ...]]:
        """Every charger's construct history (for an eligibility context)."""
        grouped: dict[int, list[MeteringConstruct]] = defaultdict(list)
        for stored in self.list_constructs():
            grouped[stored.charger_id].append(stored.construct)
        return {charger_id: tuple(items) for charger_id, items in grouped.items()}

    # -- follow-ups -----------------------------------------------------------------------

    def ensure_follow_up(
        self, charger_id: int, kind: str, explanation: str
    ) -> tuple[StoredFollowUp, bool]:
        """The charger's follow-up of this kind, created (open) if missing.

        Returns:
            The follow-up and whether it was created now.
        """
        row = self._session.scalars(
            select(EreFollowUpRow).where(
                EreFollowUpRow.charger_id == charger_id, EreFollowUpRow.kind == kind
            )
        ).one_or_none()
        if row is not None:
            return _follow_up(row), False
        now = self._clock.now()
        row = EreFollowUpRow(
            charger_id=charger_id,
            kind=kind,
            status=FollowUpStatus.OPEN.value,
            explanation=explanation,
            note=None,
            created_at=now,
            updated_at=now,
        )
        self._session.add(row)
        flush_or_conflict(self._session, f"charger {charger_id} already has a {kind} follow-up")
        return _follow_up(row), True

    def set_follow_up_status(
        self, follow_up_id: int, status: FollowUpStatus, note: str | None = None
    ) -> StoredFollowUp:
        """Raises: NotFoundError: no such follow-up."""
        row = self._session.get(EreFollowUpRow, follow_up_id)
        if row is None:
            raise NotFoundError(f"no follow-up with id {follow_up_id}")
        row.status = status.value
        if note is not None:
            row.note = note
        row.updated_at = self._clock.now()
        self._session.flush()
        return _follow_up(row)

    def list_follow_ups(self, *, status: FollowUpStatus | None = None) -> list[StoredFollowUp]:
        query = select(EreFollowUpRow).order_by(EreFollowUpRow.id)
        if status is not None:
            query = query.where(EreFollowUpRow.status == status.value)
        return [_follow_up(row) for row in self._session.scalars(query)]

    # -- meter readings -------------------------------------------------------------------

    def import_readings(
        self, ean: str, readings: Sequence[tuple[datetime, Decimal]], source_sha256: str
    ) -> int:
        """Store register readings for `ean`; identical repeats are skipped.

        Returns:
            How many readings were new.

        Raises:
            ConflictError: a stored reading at the same time has a different register value.
        """
        existing = dict(self.readings(ean))
        now = self._clock.now()
        added = 0
        for at, register_kwh in readings:
            known = existing.get(at)
            if known is not None:
                if known != register_kwh:
                    raise ConflictError(
                        f"EAN {ean} already has {known} kWh at {at.isoformat()}, "
                        f"the file says {register_kwh} kWh"
                    )
                continue
            self._session.add(
                EreMeterReadingRow(
                    ean=ean,
                    read_at=at,
                    register_kwh=register_kwh,
                    source_sha256=source_sha256,
                    imported_at=now,
                )
            )
            added += 1
        flush_or_conflict(self._session, f"readings for EAN {ean} changed meanwhile")
        return added

    def readings(self, ean: str) -> list[tuple[datetime, Decimal]]:
        """(time, register kWh) of `ean`'s meter, oldest first."""
        rows = self._session.execute(
            select(EreMeterReadingRow.read_at, EreMeterReadingRow.register_kwh)
            .where(EreMeterReadingRow.ean == ean)
            .order_by(EreMeterReadingRow.read_at)
        )
        return [(at, register) for at, register in rows]


def _construct(row: EreMeteringConstructRow) -> StoredConstruct:
    return StoredConstruct(
        id=row.id,
        charger_id=row.charger_id,
        construct=MeteringConstruct(
            charger_external_id=str(row.charger_id),
            kind=MeteringKind(row.kind),
            valid_from=row.valid_from,
            valid_until=row.valid_until,
            mid_serial=row.mid_serial,
            sap_ean=row.sap_ean,
        ),
        explanation=row.explanation,
        recorded_by=row.recorded_by,
        created_at=row.created_at,
    )


def _follow_up(row: EreFollowUpRow) -> StoredFollowUp:
    return StoredFollowUp(
        id=row.id,
        charger_id=row.charger_id,
        kind=row.kind,
        status=FollowUpStatus(row.status),
        explanation=row.explanation,
        note=row.note,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
