"""`/api/v1/statements`: the caller's ERE statements (credits per delivery period and payout),
read through the ERE service (`ere/service/statement_reads.py`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from chargebook.db.ere.store import EreStore
from chargebook.domain.access import ApiScope, Viewer
from chargebook.ere.service.payout_accounts import payout_account
from chargebook.ere.service.statement_reads import viewer_statement, viewer_statements
from chargebook.web.deps import Ctx, DbSession, require_scope
from chargebook.web.params import RowId
from chargebook.web.schemas import PayoutAccountOut, StatementOut

router = APIRouter(prefix="/statements", tags=["credits"])

Reader = Annotated[Viewer, Depends(require_scope(ApiScope.CREDITS_READ))]


@router.get("")
def list_statements(viewer: Reader, context: Ctx, db: DbSession) -> list[StatementOut]:
    """The caller's statements (every customer's, for an operator), by period."""
    store = EreStore(db, context.clock)
    return [StatementOut.of(s) for s in viewer_statements(store, viewer.owner_filter)]


@router.get("/payout-account")
def my_payout_account(viewer: Reader, context: Ctx, db: DbSession) -> PayoutAccountOut:
    """Where the caller's payouts go (masked); all fields null when no details are entered."""
    return PayoutAccountOut.of(payout_account(EreStore(db, context.clock), viewer.user.id))


@router.get("/{statement_id}")
def get_statement(statement_id: RowId, viewer: Reader, context: Ctx, db: DbSession) -> StatementOut:
    """One statement; 404 if it is not the caller's."""
    store = EreStore(db, context.clock)
    return StatementOut.of(viewer_statement(store, statement_id, viewer.owner_filter))
