"""`/api/v1/chargers`: the viewer's chargers, their live status, and commands."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends

from chargebook.book.service import BookService
from chargebook.domain.access import ApiScope, Viewer
from chargebook.web.commands import ChargerCommand, check_command
from chargebook.web.commands import send_command as send_to_charger
from chargebook.web.deps import Ctx, DbSession, require_scope
from chargebook.web.params import RowId
from chargebook.web.schemas import (
    ChargerDetailOut,
    ChargerOut,
    CommandIn,
    CommandOut,
    LiveStatusOut,
)

router = APIRouter(prefix="/chargers", tags=["chargers"])

Reader = Annotated[Viewer, Depends(require_scope(ApiScope.CHARGERS_READ))]
Writer = Annotated[Viewer, Depends(require_scope(ApiScope.CHARGERS_WRITE))]


@router.get("")
def list_chargers(viewer: Reader, db: DbSession) -> list[ChargerOut]:
    """The caller's chargers (every charger, for an operator)."""
    return [ChargerOut.of(charger) for charger in BookService(db, viewer).list_chargers()]


@router.get("/{charger_id}")
def get_charger(charger_id: RowId, viewer: Reader, db: DbSession) -> ChargerDetailOut:
    """One charger with its live status (the book's latest sample); 404 if not the caller's."""
    view = BookService(db, viewer).charger_view(charger_id)
    return ChargerDetailOut(
        **ChargerOut.of(view.charger).model_dump(),
        status=LiveStatusOut.of(view.latest) if view.latest else None,
    )


@router.post("/{charger_id}/commands/{command}")
async def send_command(
    charger_id: RowId,
    command: ChargerCommand,
    viewer: Writer,
    context: Ctx,
    arguments: Annotated[CommandIn | None, Body()] = None,
) -> CommandOut:
    """Lock, unlock, pause, resume, set the current (A), restart, or set the energy price.

    Sent through the charger's `ChargerControl` adapter (Wallbox Cloud with the account's write
    budget, or the OCPP central system); waits for the charger's or cloud's answer. A command
    the charger's system cannot do is a 409 with the reason.
    """
    # A short read: no transaction stays open while the charger answers.
    with context.database.session() as session:
        charger = BookService(session, viewer).get_charger(charger_id)
    arguments = arguments or CommandIn()
    request = check_command(
        charger, command, current_a=arguments.current_a, price_per_kwh=arguments.price_per_kwh
    )
    await send_to_charger(context.controls, charger, request)
    return CommandOut(charger_id=charger.id, command=command)
