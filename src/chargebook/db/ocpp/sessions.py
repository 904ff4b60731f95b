"""A closed OCPP transaction's session, written to the book beside the cloud sessions through
the sync engine's own writer (`SqlBook.apply_upsert`), with the frames as its evidence."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chargebook.clock import Clock
from chargebook.db.book.store import SqlBook
from chargebook.db.book.tables import ChargingSessionRow
from chargebook.db.core.canonical import canonical_json, sha256_hex
from chargebook.domain.book import SessionChange, SessionEntry, SessionState, UpsertPlan
from chargebook.domain.models import ChargerSource
from chargebook.domain.ocpp_sessions import ClosedSession


def store_closed_session(
    session: Session,
    clock: Clock,
    charge_point_id: str,
    raw: dict[str, Any],
    closed: ClosedSession,
) -> int | None:
    """Insert the session (or replace a superseded transaction's quarantined one, audited by
    the book); its book id."""
    entry = SessionEntry(
        source=ChargerSource.OCPP,
        external_id=closed.external_id,
        charger_external_id=charge_point_id,
        raw=raw,
        raw_sha256=sha256_hex(canonical_json(raw)),
        session=closed.session,
        state=SessionState.OK if closed.problem is None else SessionState.QUARANTINED,
        reason=closed.problem,
    )
    book = SqlBook(session, clock)
    stored = book.find_sessions(ChargerSource.OCPP, [closed.external_id]).get(closed.external_id)
    if stored is None:
        book.apply_upsert(UpsertPlan(inserts=(entry,)))
    else:
        book.apply_upsert(UpsertPlan(changes=(SessionChange(old=stored, new=entry),)))
    return session.scalar(
        select(ChargingSessionRow.id).where(
            ChargingSessionRow.source == ChargerSource.OCPP.value,
            ChargingSessionRow.external_id == closed.external_id,
        )
    )
