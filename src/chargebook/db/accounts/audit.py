"""The append-only audit log: who did what to which entity, with a hashed canonical payload.

The database rejects UPDATE and DELETE on the table (triggers in migration 0001), so this
repository can only append and read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chargebook.clock import Clock
from chargebook.db.accounts.tables import AuditLogRow
from chargebook.db.core.canonical import canonical_json, sha256_hex
from chargebook.domain.stored import AuditEntry


class AuditLogRepository:
    """Appends to and reads the audit log; adds and flushes, never commits."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def append(
        self,
        *,
        actor: str,
        action: str,
        entity_type: str,
        entity_id: str | int | None = None,
        payload: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """Add one line, stamped now; the payload is stored as canonical JSON with its SHA-256.

        Raises:
            TypeError: the payload cannot be represented as JSON.
        """
        text = canonical_json(payload or {})
        row = AuditLogRow(
            at=self._clock.now(),
            actor=actor,
            action=action,
            entity_type=entity_type,
            entity_id=None if entity_id is None else str(entity_id),
            payload=text,
            payload_sha256=sha256_hex(text),
        )
        self._session.add(row)
        self._session.flush()
        return _to_domain(row)

    def list(
        self,
        *,
        entity_type: str | None = None,
        entity_id: str | int | None = None,
        action: str | None = None,
        limit: int | None = None,
    ) -> list[AuditEntry]:
        """Lines in the order they were written, optionally for one entity or action."""
        query = select(AuditLogRow).order_by(AuditLogRow.id)
        if entity_type is not None:
            query = query.where(AuditLogRow.entity_type == entity_type)
        if entity_id is not None:
            query = query.where(AuditLogRow.entity_id == str(entity_id))
        if action is not None:
            query = query.where(AuditLogRow.action == action)
        if limit is not None:
            query = query.limit(limit)
        return [_to_domain(row) for row in self._session.scalars(query)]


def _to_domain(row: AuditLogRow) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        at=row.at,
        actor=row.actor,
        action=row.action,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        payload=json.loads(row.payload),
        payload_sha256=row.payload_sha256,
    )
