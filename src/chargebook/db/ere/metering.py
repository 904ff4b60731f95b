"""Metering constructs per charger (historised), the operator's follow-ups, and SAP or
dedicated-connection meter readings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CTE, ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from chargebook.clock import Clock
from chargebook.db.book.tables import ChargerRow, ChargingSessionRow
from chargebook.db.core.writes import flush_or_conflict
from chargebook.db.ere.tables import (
    EreBatchSessionRow,
    EreFollowUpRow,
    EreMeteringConstructRow,
    EreMeterReadingRow,
)
from chargebook.domain.ere import MeteringConstruct, MeteringKind
from chargebook.domain.ere_book import FollowUpStatus, StoredConstruct, StoredFollowUp
from chargebook.errors import ConflictError, NotFoundError


def mid_metered(cs: Any) -> ColumnElement[bool]:
    """`chargebook.ere.metering.is_mid_metered` in SQL: an ok session with MID energy > 0 or
    a register that moved."""
    return and_(
        cs.state == "ok",
        or_(
            cs.mid_energy_kwh > 0,
            and_(
                cs.meter_start_wh.is_not(None),
                cs.meter_stop_wh.is_not(None),
                cs.meter_stop_wh > cs.meter_start_wh,
            ),
        ),
    )


def _first_mid_start(charger_id: Any) -> Any:
    """The earliest start of a MID-metered session of `charger_id` (NULL if none): through
    the (charger_id, started_at) index, stopping at the first match."""
    cs = ChargingSessionRow
    return (
        select(func.min(cs.started_at))
        .where(cs.charger_id == charger_id, mid_metered(cs))
        .scalar_subquery()
    )


def effective_constructs() -> CTE:
    """The constructs as the rules apply them (`chargebook.ere.effective_constructs`): a
    construct marked `from_first_mid_session` starts at the charger's first MID-metered
    session when that is earlier. One row per construct (few), computed once per statement;
    the session join then reads `valid_from` from here."""
    c = EreMeteringConstructRow
    first = _first_mid_start(c.charger_id)
    valid_from = case(
        (and_(c.from_first_mid_session, first.is_not(None), first < c.valid_from), first),
        else_=c.valid_from,
    )
    rows = select(
        c.id, c.charger_id, c.kind, c.sap_ean, c.valid_until, valid_from.label("valid_from")
    )
    # MATERIALIZED: computed once per statement (one row per construct). Inlined, both
    # backends evaluated the first-session look-up once per session of a marked charger.
    return rows.cte("constructs", nesting=True).prefix_with("MATERIALIZED")


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
        from_first_mid_session: bool = False,
        evidence_reference: str | None = None,
        evidence_file_name: str | None = None,
        evidence_file_sha256: str | None = None,
    ) -> StoredConstruct:
        """Start a construct at `valid_from`; the open one before it ends there.

        History is appended in time order: a construct cannot start at or before the start of
        the charger's latest construct (`supersede_detection` first clears detection's later
        ones for a dated record with evidence).

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
            from_first_mid_session=from_first_mid_session,
            evidence_reference=evidence_reference,
            evidence_file_name=evidence_file_name,
            evidence_file_sha256=evidence_file_sha256,
        )
        self._session.add(row)
        flush_or_conflict(self._session, f"charger {charger_id} already has an open construct")
        return _construct(row)

    def supersede_detection(self, charger_id: int, valid_from: datetime, detection: str) -> int:
        """Make room for a construct the operator records from `valid_from` with evidence:
        the constructs detection wrote (`recorded_by == detection`) that start at or after it
        are removed (detection only
        saw the day it looked; the evidence says when the meter really came), and the one
        before them is reopened so `add_construct` ends it at `valid_from`.

        Returns:
            How many constructs were removed.

        Raises:
            ConflictError: a construct recorded by someone else starts at or after
                `valid_from`, or a session of the charger from `valid_from` on is registered
                in a batch (its construct is evidence now).
        """
        c = EreMeteringConstructRow
        later = list(
            self._session.scalars(
                select(c).where(c.charger_id == charger_id, c.valid_from >= valid_from)
            )
        )
        kept = [row for row in later if row.recorded_by != detection]
        if kept:
            raise ConflictError(
                f"charger {charger_id} has a construct recorded by the {kept[0].recorded_by} "
                f"from {kept[0].valid_from.isoformat()}; record a date after it"
            )
        cs, registered = ChargingSessionRow, EreBatchSessionRow
        booked = self._session.scalar(
            select(func.count())
            .select_from(cs)
            .join(registered, registered.session_id == cs.id)
            .where(cs.charger_id == charger_id, cs.ended_at > valid_from)
        )
        if booked:
            raise ConflictError(
                f"{booked} sessions of charger {charger_id} after {valid_from.isoformat()} are "
                "registered already; their metering cannot change"
            )
        for row in later:
            self._session.delete(row)
        self._session.flush()
        if later:
            before = self._session.scalars(
                select(c).where(c.charger_id == charger_id).order_by(c.valid_from.desc()).limit(1)
            ).one_or_none()
            if before is not None:
                before.valid_until = None
                self._session.flush()
        return len(later)

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

    def first_mid_session_start(self, charger_id: int) -> datetime | None:
        """Start of the charger's first MID-metered session in the book, if any."""
        start: datetime | None = self._session.scalar(select(_first_mid_start(charger_id)))
        return start

    def first_session_start(self, charger_id: int) -> datetime | None:
        """Start of the charger's first session in the book, if any."""
        cs = ChargingSessionRow
        start: datetime | None = self._session.scalar(
            select(func.min(cs.started_at)).where(cs.charger_id == charger_id)
        )
        return start

    def first_mid_session_starts(self) -> dict[int, datetime]:
        """charger id -> start of its first MID-metered session, for the chargers whose
        constructs count from it (`from_first_mid_session`)."""
        c = EreMeteringConstructRow
        rows = self._session.execute(
            select(c.charger_id, _first_mid_start(c.charger_id))
            .where(c.from_first_mid_session)
            .distinct()
        )
        return {charger_id: start for charger_id, start in rows if start is not None}

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
            from_first_mid_session=row.from_first_mid_session,
        ),
        explanation=row.explanation,
        recorded_by=row.recorded_by,
        created_at=row.created_at,
        evidence_reference=row.evidence_reference,
        evidence_file_name=row.evidence_file_name,
        evidence_file_sha256=row.evidence_file_sha256,
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
