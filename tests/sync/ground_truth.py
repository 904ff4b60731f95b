"""The simulator as ground truth: what the book must hold after a complete sync."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from chargebook.db import Database
from chargebook.db.book.tables import ChargingSessionRow
from chargebook.simulator.wallbox import WallboxSimulator
from chargebook.sync.validation import raw_sha256


def served_item(session_id: int, attributes: dict[str, Any]) -> dict[str, Any]:
    """A history item exactly as `v4/sessions/stats` serves it (the raw the book keeps)."""
    return {"type": "charger_log_session", "id": str(session_id), "attributes": attributes}


def expected_book(sim: WallboxSimulator) -> tuple[dict[str, str], set[str]]:
    """(external id -> raw sha256, ids that must be quarantined) over every owner's charger."""
    shas: dict[str, str] = {}
    bad: set[str] = set()
    for account in sim.accounts:
        for charger_id in sim.charger_ids(account.email):
            for planned, attributes in sim.ended_sessions(charger_id):
                shas[str(planned.id)] = raw_sha256(served_item(planned.id, attributes))
                if planned.bad_kind is not None:
                    bad.add(str(planned.id))
    return shas, bad


def actual_book(database: Database) -> tuple[dict[str, str], set[str]]:
    """(external id -> raw sha256, quarantined ids) as the book holds them."""
    with database.session() as session:
        rows = session.execute(
            select(
                ChargingSessionRow.external_id,
                ChargingSessionRow.raw_sha256,
                ChargingSessionRow.state,
            )
        ).all()
    return (
        {external_id: sha for external_id, sha, _ in rows},
        {external_id for external_id, _, state in rows if state == "quarantined"},
    )
