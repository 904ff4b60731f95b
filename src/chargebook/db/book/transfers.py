"""The one way a charger changes owner: the operator's transfer (a house sale), audited.

A charger in the book is one row per ownership period (migration 0011). A transfer ends the
current owner's period now (`owner_until`) and opens a new row for the new owner, with the
charger's facts copied and its sync cursor moved (the new owner's sync carries on where the
book stands, without reading the history again). Everything that belonged to the earlier
owner stays on the earlier row: the sessions that started before the transfer (also those a
later sync finds: the book routes a session to the row whose period holds its start), live
readings, smart-charging plans and savings, and the ERE connection, mandate and metering
(the new owner signs their own). The earlier owner still sees that row and its sessions, and
can no longer control the charger through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from chargebook.clock import Clock
from chargebook.db.accounts.audit import AuditLogRepository
from chargebook.db.accounts.tables import UserRow
from chargebook.db.book.tables import ChargerRow, SyncStateRow
from chargebook.domain.models import ChargerSource
from chargebook.errors import ConflictError, NotFoundError

AUDIT_ACTION = "charger.transferred"
# Copied to the new owner's row: what the charger is, not what its owner set up.
_FACTS = (
    "source",
    "external_id",
    "name",
    "group_name",
    "serial_number",
    "part_number",
    "model",
    "firmware_version",
    "time_zone",
    "max_current_a",
    "mid_enabled",
    "mid_serial_number",
    "mid_status",
    "metering_verdict",
)


@dataclass(frozen=True, slots=True)
class ChargerTransfer:
    """A done transfer: the earlier owner's row (now closed at `at`) and the new one."""

    earlier_charger_id: int
    charger_id: int
    from_user_id: int | None
    to_user_id: int
    at: datetime


def transfer_charger(
    session: Session, clock: Clock, *, charger_id: int, to_email: str, actor: str
) -> ChargerTransfer:
    """Give the charger with book id `charger_id` to the user with e-mail `to_email`, now.

    The caller owns the transaction; the audit log gets one line (`charger.transferred`,
    entity the earlier row) written by `actor` (e.g. "cli" or "operator:7").

    Raises:
        NotFoundError: no such charger, or no user with that e-mail.
        ConflictError: the row is an earlier owner's (transfer the current one), the user owns
            it already, or it is an OCPP charger (not transferable here yet: the running
            central system caches its charge point ids; register it again instead).
    """
    row = session.get(ChargerRow, charger_id)
    if row is None:
        raise NotFoundError(f"no charger with id {charger_id}")
    if row.owner_until is not None:
        raise ConflictError(
            f"charger {charger_id} was transferred already; transfer its current row"
        )
    if row.source == ChargerSource.OCPP.value:
        raise ConflictError(
            "only cloud and home-network chargers can be transferred; remove the OCPP charge "
            "point and register it again for its new owner"
        )
    user = session.scalars(
        select(UserRow).where(UserRow.email == to_email.strip().lower())
    ).one_or_none()
    if user is None:
        raise NotFoundError(f"no user {to_email.strip()}")
    if row.owner_user_id == user.id:
        raise ConflictError(f"charger {charger_id} already belongs to {user.email}")
    at = clock.now()
    earlier_owner = row.owner_user_id
    row.owner_until = at
    row.updated_at = at
    session.flush()  # frees the charger's place among the current rows (partial unique index)
    successor = ChargerRow(
        **{name: getattr(row, name) for name in _FACTS},
        owner_user_id=user.id,
        account_id=None,  # the new owner's sync sets the account that sees it
        brand_account_id=None,
        created_at=at,
        updated_at=at,
    )
    session.add(successor)
    session.flush()
    session.execute(
        update(SyncStateRow)
        .where(SyncStateRow.charger_id == row.id)
        .values(charger_id=successor.id)
        .execution_options(synchronize_session=False)
    )
    AuditLogRepository(session, clock).append(
        actor=actor,
        action=AUDIT_ACTION,
        entity_type="charger",
        entity_id=row.id,
        payload={
            "source": row.source,
            "external_id": row.external_id,
            "from_user_id": earlier_owner,
            "to_user_id": user.id,
            "to_email": user.email,
            "new_charger_id": successor.id,
            "at": at.isoformat(),
        },
    )
    return ChargerTransfer(row.id, successor.id, earlier_owner, user.id, at)
