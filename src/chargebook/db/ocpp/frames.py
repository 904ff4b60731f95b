"""An OCPP transaction's raw frames: its evidence, deduplicated on content."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chargebook.db.core.canonical import canonical_json, sha256_hex
from chargebook.db.core.writes import dialect_insert
from chargebook.db.ocpp.tables import OcppFrameRow

_INSERTS: dict[str, Any] = {}


def frame_row(
    transaction_id: int, action: str, frame: str, received_at: datetime
) -> dict[str, Any]:
    """The `ocpp_frames` row of one frame; its digest covers the action and the payload only."""
    digest = sha256_hex(action + canonical_json(_payload_of(frame)))
    return {
        "transaction_id": transaction_id,
        "action": action,
        "frame": frame,
        "frame_sha256": digest,
        "received_at": received_at,
    }


def frame_insert(session: Session) -> Any:
    """The INSERT .. ON CONFLICT DO NOTHING for `frame_row`s, built once per dialect (run as
    executemany: a multi-row VALUES would recompile per batch size)."""
    dialect = session.get_bind().dialect.name
    statement = _INSERTS.get(dialect)
    if statement is None:
        statement = _INSERTS[dialect] = dialect_insert(session)(
            OcppFrameRow.__table__
        ).on_conflict_do_nothing(index_elements=["transaction_id", "frame_sha256"])
    return statement


def stored_frames(session: Session, transaction_id: int) -> list[Any]:
    """The transaction's raw frames (parsed JSON), in the order they arrived."""
    texts = session.scalars(
        select(OcppFrameRow.frame)
        .where(OcppFrameRow.transaction_id == transaction_id)
        .order_by(OcppFrameRow.id)
    )
    return [json.loads(text) for text in texts]


def _payload_of(frame: str) -> Mapping[str, Any]:
    # Dedupe on content: a resent CALL has a new unique id but the same action and payload.
    parsed = json.loads(frame)
    payload = parsed[3] if isinstance(parsed, list) and len(parsed) > 3 else {}
    return payload if isinstance(payload, dict) else {}
